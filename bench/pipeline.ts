/**
 * bun run bench:pipeline — es_pipeline per-stage times (issue 6 §5 "Speed").
 *
 * 1. The golden fixture day (shared/fixtures/es-day-a, 2026-01-14): one cold run (includes
 *    DuckDB start-up and JIT warm-up) and warm runs (a batch worker processing dates).
 *    Anchors: the predecessor's recorded wall time on this day (summary.json, ~5.2 s, same
 *    machine class) and, measured in this run, a plain BronzeReader read of the same inputs
 *    (every Bronze column of D's trades/MBP/options + 3 warm-up days) — the I/O floor a
 *    naive reader pays before computing anything.
 * 2. A simulated normal-scale day (src/sim generateDay, 3 warm-up weekdays + D) written to
 *    a temp lake with writeBronzeDay, then the same measurement.
 *
 * Options: --runs N (warm runs, default 5), --no-sim.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BronzeReader } from "../src/read/bronze-reader";
import { generateDay, tradingDates } from "../src/sim/day";
import { writeBronzeDay } from "../src/sim/bronze";
import { localStore } from "../src/storage";
import { runPipeline, type PipelineResult } from "../src/silver/pipeline/run";

const FIXTURE = "/work/shared/fixtures/es-day-a";
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf("--runs") + 1]) || 5;
const WITH_SIM = !args.includes("--no-sim");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => x.toFixed(1).padStart(7);

async function measure(label: string, date: string, dataRoot: string): Promise<{ cold: PipelineResult; warm: PipelineResult[] }> {
  const cold = await runPipeline({ date, dataRoot, variant: "reference" });
  const warm: PipelineResult[] = [];
  for (let i = 0; i < RUNS; i++) warm.push(await runPipeline({ date, dataRoot, variant: "reference" }));
  console.log(`\n## ${label} — ${date}: ${cold.frame.numRows} rows (${cold.eventsBeforeRth} whole-day events), warm-up ${cold.warmupDates.join(", ") || "none"}`);
  console.log(`stage                              cold ms  warm ms: median  best (of ${RUNS})`);
  cold.timings.forEach((t, i) => {
    const w = warm.map((r) => r.timings[i]!.ms);
    console.log(`${`${t.id} ${t.name}${t.ran ? "" : " (not landed)"}`.padEnd(34)} ${ms(t.ms)}  ${ms(median(w))}  ${ms(Math.min(...w))}`);
  });
  const warmTotal = median(warm.map((r) => r.totalMs));
  const best = Math.min(...warm.map((r) => r.totalMs));
  const compute = median(warm.map((r) => r.timings.filter((t) => t.id !== "S1" && t.id !== "S3").reduce((s, t) => s + t.ms, 0)));
  console.log(`${"total".padEnd(34)} ${ms(cold.totalMs)}  ${ms(warmTotal)}  ${ms(best)}   (compute without S1/S3 loads: ${compute.toFixed(1)} ms)`);
  return { cold, warm };
}

/** Anchor: a plain BronzeReader read of every input (all columns), no compute. */
async function readerAnchor(date: string, dataRoot: string, warmup: string[]): Promise<number> {
  const reader = new BronzeReader(dataRoot);
  const once = async () => {
    const t0 = performance.now();
    await Promise.all([
      reader.readFuturesTrades("ES", { date, frontMonthOnly: false }),
      reader.readFuturesMbp10("ES", { date, frontMonthOnly: false }),
      reader.readOptionTrades("ES", { date }),
      ...warmup.map((d) => reader.readFuturesTrades("ES", { date: d, frontMonthOnly: false })),
    ]);
    return performance.now() - t0;
  };
  await once();
  const xs: number[] = [];
  for (let i = 0; i < 3; i++) xs.push(await once());
  return median(xs);
}

async function report(label: string, date: string, root: string, predecessorS?: number) {
  const { cold, warm } = await measure(label, date, root);
  const warmTotal = median(warm.map((r) => r.totalMs));
  const anchor = await readerAnchor(date, root, cold.warmupDates);
  console.log(`anchor: BronzeReader read of all inputs (every column), same run: ${anchor.toFixed(1)} ms → pipeline/anchor = ${(warmTotal / anchor).toFixed(2)}×`);
  if (predecessorS) {
    console.log(
      `anchor: predecessor es_pipeline on this day (summary.json): ${(predecessorS * 1000).toFixed(0)} ms → ` +
        `speed-up ${(predecessorS * 1000 / cold.totalMs).toFixed(1)}× cold, ${(predecessorS * 1000 / warmTotal).toFixed(1)}× warm`,
    );
  }
}

const summary = (await Bun.file(`${FIXTURE}/expected/summary.json`).json()) as { pipeline_wall_time_s: number };
await report("fixture es-day-a", "2026-01-14", FIXTURE, summary.pipeline_wall_time_s);

if (WITH_SIM) {
  const dir = mkdtempSync(join(tmpdir(), "lake-bench-pipeline-"));
  try {
    const dates = tradingDates("2026-03-02", 4); // Mon–Thu: 3 warm-up weekdays + D
    const store = localStore(dir);
    const t0 = performance.now();
    let rows = 0;
    for (const [i, date] of dates.entries()) {
      const day = generateDay({ date, seed: 11, scale: "normal", signals: false });
      // warm-up days only need trades (as in the fixture)
      await writeBronzeDay(store, day, { tables: i === dates.length - 1 ? undefined : ["futures.trades"] });
      if (i === dates.length - 1) rows = day.trades.numRows + day.mbp10.numRows + day.options.numRows;
    }
    console.log(`\n(simulated ${dates.length} normal-scale days in ${((performance.now() - t0) / 1000).toFixed(1)} s; D holds ${rows} Bronze rows)`);
    await report("simulated normal-scale day", dates[dates.length - 1]!, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ═══════════════════════════ Heavy-scale day — S7–S13 (issue 7, part 2) ═══════════════════════════
// Owned by the part-2 engineer; appended as its own section (--no-heavy skips it). Two cases:
//  1. the simulator's heavy day (≈2.5 M raw MBP-10 rows) through the whole pipeline, per stage;
//     anchor: one pass over the raw book's size columns in the same run;
//  2. the physics stages' worst case: 1 M snapshots handed straight to S7–S13 (S1's 250 ms
//     downsampling caps a real day at ~95 k), 2 M trades, 5 000 events, 50 k option trades.
//     The 250 k → 1 M step shows the scaling (linear ≈ ×4, quadratic ≈ ×16).
import { generateDay as generateHeavyDay } from "../src/sim/day";
import { frameInput as heavyFrameInput } from "../src/silver/pipeline/bronze-input";
import { runPipeline as runHeavyPipeline } from "../src/silver/pipeline/run";
import { heavyDayContext } from "./lib/heavy-day";
import physicsS07 from "../src/silver/pipeline/stages/s07-compute-physics";
import physicsS08 from "../src/silver/pipeline/stages/s08-multi-window-kinematics";
import physicsS09 from "../src/silver/pipeline/stages/s09-multi-window-ofi";
import physicsS10 from "../src/silver/pipeline/stages/s10-barrier-evolution";
import physicsS11 from "../src/silver/pipeline/stages/s11-level-distances";
import physicsS12 from "../src/silver/pipeline/stages/s12-gex-features";
import physicsS13 from "../src/silver/pipeline/stages/s13-force-mass";

const PHYSICS_IDS = new Set(["S7", "S8", "S9", "S10", "S11", "S12", "S13"]);

async function benchHeavySimulatedDay(): Promise<void> {
  const date = "2026-03-04";
  const day = generateHeavyDay({ date, seed: 7, scale: "heavy", signals: false });
  const a0 = performance.now();
  let sink = 0;
  for (let k = 1; k <= 10; k++) {
    for (const side of ["bid", "ask"]) {
      const v = day.mbp10.values<BigInt64Array>(`${side}_sz_${k}`);
      for (let i = 0; i < v.length; i++) sink += Number(v[i]!);
    }
  }
  const anchorMs = performance.now() - a0;
  const bronze = heavyFrameInput({ trades: { [date]: day.trades }, mbp10: { [date]: day.mbp10 }, options: { [date]: day.options } });
  const res = await runHeavyPipeline({ date, bronze, variant: "reference" });
  const physicsMs = res.timings.filter((t) => PHYSICS_IDS.has(t.id)).reduce((s, t) => s + t.ms, 0);
  console.log(
    `heavy simulated day ${date}: ${day.trades.numRows.toLocaleString("en")} trades, ${day.mbp10.numRows.toLocaleString("en")} MBP-10 rows, ` +
      `${day.options.numRows.toLocaleString("en")} option trades → ${res.eventsBeforeRth} events, ${res.frame.numRows} RTH rows; ` +
      `all stages ${res.totalMs.toFixed(0)} ms, S7–S13 ${physicsMs.toFixed(1)} ms | anchor one pass over the raw book sizes ` +
      `${anchorMs.toFixed(1)} ms (S7–S13 ×${(physicsMs / anchorMs).toFixed(2)}) [checksum ${sink % 7}]`,
  );
  console.log(`  per stage (ms): ${res.timings.map((t) => `${t.id} ${t.ms.toFixed(1)}`).join(", ")}`);
}

async function benchPhysicsMillionSnapshots(): Promise<void> {
  const stages = [physicsS07, physicsS08, physicsS09, physicsS10, physicsS11, physicsS12, physicsS13];
  const sizes = [
    { snapshots: 250_000, trades: 500_000, events: 5_000, options: 50_000 },
    { snapshots: 1_000_000, trades: 2_000_000, events: 5_000, options: 50_000 },
  ];
  const totals: number[] = [];
  for (const size of sizes) {
    const ctx = heavyDayContext({ ...size, seed: 3 });
    const mbp = ctx.mbp!;
    // Best of 3 for both figures: the machine is shared, the minimum is the stable number.
    let sink = 0;
    let anchorMs = Infinity;
    const best = new Float64Array(stages.length).fill(Infinity);
    for (let rep = 0; rep < 3; rep++) {
      const a0 = performance.now();
      for (let k = 0; k < 10; k++) for (let i = 0; i < mbp.n; i++) sink += mbp.bidSz[k]![i]! + mbp.askSz[k]![i]!;
      anchorMs = Math.min(anchorMs, performance.now() - a0);
      for (let j = 0; j < stages.length; j++) {
        const t0 = performance.now();
        await stages[j]!.run(ctx);
        best[j] = Math.min(best[j]!, performance.now() - t0);
      }
    }
    const per = stages.map((s, j) => `${s.name} ${best[j]!.toFixed(1)}`);
    const total = best.reduce((a, b) => a + b, 0);
    totals.push(total);
    console.log(
      `S7–S13 on ${size.snapshots.toLocaleString("en")} snapshots, ${size.trades.toLocaleString("en")} trades, ` +
        `${size.events.toLocaleString("en")} events, ${size.options.toLocaleString("en")} option trades: ${total.toFixed(1)} ms | ` +
        `anchor one pass over the book sizes ${anchorMs.toFixed(1)} ms (×${(total / anchorMs).toFixed(1)}), best of 3 [checksum ${sink % 7}]`,
    );
    console.log(`  per stage (ms): ${per.join(", ")}`);
  }
  console.log(`  scaling 250 k → 1 M snapshots: ×${(totals[1]! / totals[0]!).toFixed(2)} (linear ≈ 4, quadratic ≈ 16)`);
}

if (!process.argv.includes("--no-heavy")) {
  console.log("\n## heavy-scale day (S7–S13; skip with --no-heavy)");
  await benchHeavySimulatedDay();
  await benchPhysicsMillionSnapshots();
}
