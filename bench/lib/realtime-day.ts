/**
 * The benches' Bronze days, cached in $TMPDIR/lake-bench-compact-{scale}-*: one normal simulated
 * day (2026-03-04, seed 42) batch-shaped (one file per table-hour), and the same rows as live
 * ingest leaves them (one file per table per flush, testkit/realtime-lake.ts).
 */
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateDay } from "../../src/sim/day";
import { writeBronzeDay } from "../../src/sim/bronze";
import { localStore } from "../../src/storage";
import { reshapeToFlushes } from "../../testkit/realtime-lake";

export const BENCH_DAY = "2026-03-04";

async function cachedLake(scale: string, name: string, build: (root: string) => Promise<void>): Promise<string> {
  const root = join(tmpdir(), `lake-bench-compact-${scale}-${name}`);
  if (!existsSync(join(root, ".complete"))) {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    const t = performance.now();
    await build(root);
    await Bun.write(join(root, ".complete"), new Date().toISOString());
    console.log(`built ${name} lake in ${((performance.now() - t) / 1000).toFixed(1)} s: ${root}`);
  }
  return root;
}

/** The batch-shaped day's lake root. */
export function batchDay(scale: "light" | "normal"): Promise<string> {
  return cachedLake(scale, "batch", async (root) => {
    const day = generateDay({ date: BENCH_DAY, seed: 42, scale, signals: false });
    await writeBronzeDay(localStore(root), day);
  });
}

/** The same rows as `flushS`-second flushes: the real-time-shaped day's lake root. */
export async function realtimeDay(scale: "light" | "normal", flushS: number): Promise<string> {
  const batch = await batchDay(scale);
  return cachedLake(scale, `realtime-${flushS}s`, async (root) => {
    cpSync(join(batch, "bronze"), join(root, "bronze"), { recursive: true });
    await reshapeToFlushes(localStore(root), { flushSeconds: flushS });
  });
}
