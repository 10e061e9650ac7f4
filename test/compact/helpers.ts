/**
 * Compaction test lakes and checks: a small real-time-shaped day (many flush-sized files),
 * the lake's row multiset per table through the lake's own listing and DuckDB, and the
 * `lake compact` command as a subprocess that can be killed.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckSession } from "../../src/read/duck";
import { LakeFiles, type LakeLocation } from "../../src/read/lake-files";
import { registerViews } from "../../src/read/views";
import { generateDay } from "../../src/sim/day";
import { writeBronzeDay } from "../../src/sim/bronze";
import type { Store } from "../../src/storage/store";
import { reshapeToFlushes } from "../../testkit/realtime-lake";

export const ROOT = join(import.meta.dir, "../..");
export const DAY = "2026-03-04";
export const BRONZE_VIEWS = ["bronze_futures_trades", "bronze_futures_mbp10", "bronze_option_trades"] as const;

export interface TempDir extends Disposable {
  path: string;
}

export function tempDir(prefix = "lake-compact-"): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

/** A small simulated day written the way live ingest leaves it: one file per table per `flushSeconds`. */
export async function realtimeDay(store: Store, flushSeconds = 300): Promise<{ files: number; rows: number }> {
  const day = generateDay({ date: DAY, seed: 11, scale: "light", rates: { tradesPerSec: 0.05, mbpPerSec: 0.1, optionsPerSec: 0.02 }, signals: false });
  await writeBronzeDay(store, day);
  return reshapeToFlushes(store, { flushSeconds });
}

export function copyLake(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}

/** Per Bronze table: row count and an order-independent hash of every row (the row multiset). */
export async function rowMultiset(location: LakeLocation | LakeFiles): Promise<Record<string, { rows: number; hash: string }>> {
  const files = location instanceof LakeFiles ? location : new LakeFiles(location);
  using _held = files.hold();
  using s = await DuckSession.open();
  const sql = BRONZE_VIEWS.map((v) => `SELECT '${v}' AS view, count(*)::BIGINT AS n, coalesce(sum(hash(t)), 0)::VARCHAR AS h FROM ${v} t`).join(" UNION ALL ");
  await registerViews(s, files, sql);
  const f = await s.query(sql);
  const out: Record<string, { rows: number; hash: string }> = {};
  for (let i = 0; i < f.numRows; i++) out[f.values<string[]>("view")[i]!] = { rows: Number(f.values<BigInt64Array>("n")[i]!), hash: f.values<string[]>("h")[i]! };
  return out;
}

/** Every object key under bronze/, sorted. */
export async function bronzeKeys(store: Store): Promise<string[]> {
  return (await store.list("bronze/")).map((o) => o.key);
}

export interface CompactRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** `lake compact` as a subprocess (source entry point), with extra args and env. */
export function spawnCompact(args: string[], env: Record<string, string> = {}) {
  return Bun.spawn([process.execPath, "run", join(ROOT, "src/main.ts"), "compact", "--grace", "0", ...args], {
    cwd: ROOT,
    env: { ...process.env, LAKE_LOG_LEVEL: "warn", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
}

export async function runCompact(args: string[], env: Record<string, string> = {}): Promise<CompactRun> {
  const p = spawnCompact(args, env);
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  await p.exited;
  return { code: p.exitCode, signal: p.signalCode ? String(p.signalCode) : null, stdout, stderr };
}
