/**
 * Test harness for the ingest area: run `lake serve` as a real subprocess, publish through
 * JetStream, and read back what landed in the lake with DuckDB.
 */
import { spawnService } from "../../../testkit/processes";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { mkdtempSync, readdirSync, rmSync, mkdirSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "bun:test";
import { duckConnect } from "../../../src/runtime/duckdb-native";
import { ensureStreams } from "../../../src/ingest/main/streams";
import type { Store } from "../../../src/storage/store";
import { gen, SUBJECTS, type GenMsg } from "../../../testkit/ingest-messages";

const ROOT = resolve(import.meta.dir, "../../..");

export function tempDir(prefix: string): { path: string } & Disposable {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

export interface ServeProc extends AsyncDisposable {
  readonly proc: ReturnType<typeof Bun.spawn>;
  readonly logFile: string;
  kill9(): Promise<void>;
  /** SIGTERM once the service runs; its exit code (throws with the log tail if it does not exit). */
  term(timeoutMs?: number): Promise<number>;
  log(): string;
}

export function startServe(natsUrl: string, dataRoot: string, extra: string[] = [], env: Record<string, string> = {}, logFile = join(process.env.LAKE_TEST_LOG_DIR ?? join(dataRoot, ".."), `serve-${Date.now()}-${Math.random().toString(36).slice(2)}.log`), launcher: string[] = []): ServeProc {
  // spawnService ties the child to this test process: a crashed test leaves no `lake serve` behind.
  const proc = spawnService(
    [...launcher, "bun", "run", join(ROOT, "src/main.ts"), "serve", "--nats-url", natsUrl, "--data-root", dataRoot,
      "--bronze-flush-interval", "0.3", "--gold-flush-interval", "0.3", "--summary-interval", "2", "--no-compact", ...extra],
    { cwd: ROOT, stdout: "ignore", stderr: Bun.file(logFile), env: { ...process.env, LAKE_LOG_LEVEL: "info", USE_S3: "false", ...env } },
  );
  return {
    proc,
    logFile,
    async kill9() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
    async term(timeoutMs = 60_000) {
      // A signal before the service installed its handlers would just kill it: wait until it runs.
      const deadline = Date.now() + 30_000;
      while (proc.exitCode === null && Date.now() < deadline && !(existsSync(logFile) && readFileSync(logFile, "utf8").includes("lake serve running"))) await Bun.sleep(50);
      proc.kill("SIGTERM");
      // A service that ignores SIGTERM is a failure to report with its log, not a hung test.
      const code = await Promise.race([proc.exited, Bun.sleep(timeoutMs).then(() => null)]);
      if (code !== null) return code;
      proc.kill("SIGKILL");
      await proc.exited;
      throw new Error(`lake serve did not exit within ${timeoutMs} ms of SIGTERM; log tail:\n${logTail(logFile)}`);
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
    async [Symbol.asyncDispose]() {
      if (proc.exitCode === null && !proc.killed) {
        proc.kill("SIGKILL");
        await proc.exited;
      }
    },
  };
}

/**
 * The service's log for a failure message: every line that is not a periodic status line
 * (takes, locks, warnings, errors: what explains a stall), then the last status lines.
 */
function logTail(logFile: string, lines = 40): string {
  if (!existsSync(logFile)) return "(no log)";
  const all = readFileSync(logFile, "utf8").trimEnd().split("\n");
  const isStatus = (l: string) => / INFO  \S+ \d+\/s rows=/.test(l);
  const events = all.filter((l) => !isStatus(l)).slice(-120);
  const status = all.filter(isStatus).slice(-Math.min(lines, 8));
  return [...events, "…", ...status].join("\n");
}

/**
 * Await `p`, or fail after `ms` naming the step (and the service's log tail): a hang or a
 * failure in a reliability test becomes a diagnosis instead of a bare test timeout.
 */
export async function within<T>(ms: number, step: string, p: Promise<T>, serve?: ServeProc): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`step "${step}" did not finish within ${ms} ms${serve ? `; lake serve log tail:\n${logTail(serve.logFile)}` : ""}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } catch (e) {
    if (serve && !String(e).includes("log tail")) throw new Error(`step "${step}" failed: ${String(e)}; lake serve log tail:\n${logTail(serve.logFile)}`);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** Wait (bounded) until `serve`'s log contains `text`; a timeout reports the step and the log tail. */
export function waitForLog(serve: ServeProc, text: string, step: string, ms = 30_000): Promise<void> {
  return within(ms, step, waitUntil(() => serve.log().includes(text), ms, step), serve);
}

export async function natsClient(url: string): Promise<NatsConnection & AsyncDisposable> {
  const nc = await connect({ servers: url, noAsyncTraces: true, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  return Object.assign(nc, { [Symbol.asyncDispose]: () => nc.close() });
}

export async function createStreams(nc: NatsConnection): Promise<void> {
  await ensureStreams(await jetstreamManager(nc));
}

const enc = new TextEncoder();

/**
 * Publish with JetStream acks (pipelined); returns the stream sequence of each message.
 * `msgIds` (one per message) lets JetStream drop the second copy when a publish is retried
 * after a lost ack — what a real publisher does across a server restart.
 */
export async function publishAll(nc: NatsConnection, msgs: { subject: string; body: string | Uint8Array }[], window = 500, msgIds?: string[]): Promise<number[]> {
  const js = jetstream(nc);
  const seqs = new Array<number>(msgs.length);
  for (let i = 0; i < msgs.length; i += window) {
    const chunk = msgs.slice(i, i + window);
    const acks = await Promise.all(chunk.map((m, k) => js.publish(m.subject, typeof m.body === "string" ? enc.encode(m.body) : m.body, { retries: 20, msgID: msgIds?.[i + k] })));
    acks.forEach((a, k) => (seqs[i + k] = a.seq));
  }
  return seqs;
}

/** Every row of a table under `dir` (local lake root), via DuckDB, with the file name. */
export async function readTable(dir: string, prefix: string, orderBy = "filename"): Promise<Record<string, unknown>[]> {
  const base = join(dir, prefix);
  if (!existsSync(base)) return [];
  using conn = await duckConnect({ threads: 1 });
  const reader = await conn.runAndReadAll(
    `SELECT * FROM read_parquet('${base}/**/*.parquet', hive_partitioning = false, filename = true) ORDER BY ${orderBy}`,
  );
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

/** Copy every object under `prefix` of a store into a local dir (S3 read-back for DuckDB). */
export async function mirror(store: Store, prefix: string, dir: string): Promise<void> {
  for (const o of await store.list(prefix)) {
    const p = join(dir, ...o.key.split("/"));
    mkdirSync(join(p, ".."), { recursive: true });
    writeFileSync(p, await store.get(o.key));
  }
}

export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => !f.includes(".lake-tmp-")).sort();
}

/** Poll until `cond` is true or the timeout passes (then throw with `what`). */
export async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(100);
  }
}

/** Committed watermark of a consumer from its commit record (local root). */
export function watermark(dataRoot: string, durable: string): number {
  const p = join(dataRoot, "_ingest", durable, "commit.json");
  return existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")).watermark as number) : 0;
}

export const TABLE_PREFIX: Record<string, string> = {
  "market.futures.trades": "bronze/futures/trades",
  "market.futures.mbp10": "bronze/futures/mbp10",
  "market.options.trades": "bronze/options/trades",
  "levels.signals": "gold/levels/signals",
};

export const DURABLE: Record<string, string> = {
  "market.futures.trades": "bronze_writer_market_futures_trades",
  "market.futures.mbp10": "bronze_writer_market_futures_mbp10",
  "market.options.trades": "bronze_writer_market_options_trades",
  "levels.signals": "gold_writer_levels_signals",
};

/** Identity of a stored row: vendor seq for Bronze, (ts, level) for Gold. */
export function rowKey(subject: string, r: Record<string, unknown>): string {
  return subject === "levels.signals" ? `${r.ts_event_ns}|${r.level_id}` : String(r.seq);
}

/**
 * Count how often each expected row is in the lake: returns missing and duplicated keys
 * (per subject) — the exactly-once check.
 */
export async function exactlyOnce(dir: string, expected: { subject: string; rows: Record<string, unknown>[] }[]): Promise<{ missing: string[]; duplicated: string[]; total: number }> {
  const missing: string[] = [];
  const duplicated: string[] = [];
  let total = 0;
  for (const subject of Object.keys(TABLE_PREFIX)) {
    const counts = new Map<string, number>();
    for (const r of await readTable(dir, TABLE_PREFIX[subject]!, "1")) {
      const k = rowKey(subject, r);
      counts.set(k, (counts.get(k) ?? 0) + 1);
      total++;
    }
    for (const m of expected) {
      if (m.subject !== subject) continue;
      for (const r of m.rows) {
        const k = rowKey(subject, r);
        const c = counts.get(k) ?? 0;
        if (c === 0) missing.push(`${subject}:${k}`);
        else if (c > 1) duplicated.push(`${subject}:${k}x${c}`);
      }
    }
  }
  return { missing, duplicated, total };
}

/** Messages `from` .. `from + n − 1` of every subject, interleaved. */
export function batchOf(from: number, n: number): GenMsg[] {
  const msgs: GenMsg[] = [];
  for (let i = from; i < from + n; i++) for (const s of SUBJECTS) msgs.push(gen(s, i));
  return msgs;
}

/** Every message of `msgs` is in the lake exactly once, and nothing else is. */
export async function expectExactlyOnce(root: string, msgs: { subject: string; rows: Record<string, unknown>[] }[]): Promise<void> {
  const check = await exactlyOnce(root, msgs);
  expect(check.missing.slice(0, 10)).toEqual([]);
  expect(check.duplicated.slice(0, 10)).toEqual([]);
  expect(check.total).toBe(msgs.reduce((s, m) => s + m.rows.length, 0));
}

/** Wait until every consumer's committed watermark covers the published sequences. */
export async function waitCommitted(
  dataRoot: string,
  msgs: { subject: string }[],
  seqs: number[],
  timeoutMs: number,
  readWatermark: (durable: string) => number | Promise<number> = (d) => watermark(dataRoot, d),
): Promise<void> {
  const last = new Map<string, number>();
  msgs.forEach((m, i) => last.set(m.subject, Math.max(last.get(m.subject) ?? 0, seqs[i]!)));
  await waitUntil(async () => {
    for (const [s, seq] of last) if ((await readWatermark(DURABLE[s]!)) < seq) return false;
    return true;
  }, timeoutMs, "every published message to be committed");
}

function norm(v: unknown): unknown {
  if (v instanceof Int16Array) return Array.from(v);
  if (v instanceof Date) return Math.round(v.getTime() / 86_400_000); // date32 as days
  if (Array.isArray(v)) return v.map(norm);
  if (typeof v === "number" && Number.isNaN(v)) return "NaN";
  return v;
}

/**
 * Every table under the local lake root `dir` holds exactly the expected rows of `msgs`:
 * in the partition given by the row's own values (product root / ES, UTC date and hour of
 * ts_event_ns), each file sorted by (ts_event_ns, seq), every value equal.
 */
export async function expectLakeMatches(dir: string, msgs: { subject: string; rows: Record<string, unknown>[] }[]): Promise<void> {
  for (const subject of Object.keys(TABLE_PREFIX)) {
    const rows = await readTable(dir, TABLE_PREFIX[subject]!, "filename, file_row_number");
    const expected = new Map(msgs.filter((m) => m.subject === subject).flatMap((m) => m.rows.map((r) => [rowKey(subject, r), r] as const)));
    expect(rows.length).toBe(expected.size);
    let prev: { file: string; ts: bigint; seq: bigint } | null = null;
    for (const r of rows) {
      const file = String(r.filename);
      const ts = r.ts_event_ns as bigint;
      const iso = new Date(Number(ts / 1_000_000n)).toISOString();
      const key = subject.startsWith("market.futures") ? "symbol=ES" : "underlying=ES";
      expect(file).toContain(`/${TABLE_PREFIX[subject]}/${key}/date=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}/part-`);
      const seq = (r.seq as bigint | undefined) ?? 0n;
      if (prev && prev.file === file) expect(prev.ts < ts || (prev.ts === ts && prev.seq <= seq)).toBe(true);
      prev = { file, ts, seq };
      const want = expected.get(rowKey(subject, r));
      expect(want).toBeDefined();
      for (const [k, v] of Object.entries(want!)) expect([k, norm(r[k])]).toEqual([k, norm(v)]);
    }
  }
}
