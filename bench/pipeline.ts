/**
 * bun run bench:pipeline — es_pipeline per-stage times.
 *
 * 1. The golden fixture day (test/fixtures/es-day-a, 2026-01-14): one cold run (includes
 *    DuckDB start-up and JIT warm-up) and warm runs (a batch worker processing dates).
 *    Anchor measured in this run: a plain BronzeReader read of the same inputs (every Bronze
 *    column of D's trades/MBP/options + 3 warm-up days) — the I/O floor a naive reader pays
 *    before computing anything. Also printed, and labelled as such: the predecessor's wall
 *    time on this day as recorded in the fixture's summary.json when the fixture was made
 *    (~5.2 s) — a recorded number from another run, not a same-run measurement.
 * 2. A simulated normal-scale day (src/sim generateDay, 3 warm-up weekdays + D) written to
 *    a temp lake with writeBronzeDay, then the same measurement.
 *
 * Each section also runs the corrected variant (es_pipeline_pit) interleaved with the
 * reference and prints corrected/reference (bench/lib/pipeline-variants.ts).
 *
 * Options: --runs N (warm runs, default 5), --no-sim, --no-heavy (the heavy-scale section,
 * bench/lib/pipeline-heavy.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BronzeReader } from "../src/read/bronze-reader";
import { generateDay, tradingDates } from "../src/sim/day";
import { writeBronzeDay } from "../src/sim/bronze";
import { localStore } from "../src/storage";
import { runPipeline, type PipelineResult } from "../src/silver/pipeline/run";
import { median } from "./lib/args";
import { benchHeavyDay } from "./lib/pipeline-heavy";
import { benchVariants } from "./lib/pipeline-variants";
import { FIXTURE_DAY_A } from "../testkit/fixtures";

const FIXTURE = FIXTURE_DAY_A;
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf("--runs") + 1]) || 5;
const WITH_SIM = !args.includes("--no-sim");

const ms = (x: number) => x.toFixed(1).padStart(7);

async function measure(label: string, date: string, dataRoot: string): Promise<{ cold: PipelineResult; warm: PipelineResult[] }> {
  const cold = await runPipeline({ date, dataRoot, variant: "reference" });
  const warm: PipelineResult[] = [];
  for (let i = 0; i < RUNS; i++) warm.push(await runPipeline({ date, dataRoot, variant: "reference" }));
  console.log(`\n## ${label} — ${date}: ${cold.frame.numRows} rows (${cold.eventsBeforeRth} whole-day events), warm-up ${cold.warmupDates.join(", ") || "none"}`);
  console.log(`stage                              cold ms  warm ms: median  best (of ${RUNS})`);
  cold.timings.forEach((t, i) => {
    const w = warm.map((r) => r.timings[i]!.ms);
    console.log(`${`${t.id} ${t.name}`.padEnd(34)} ${ms(t.ms)}  ${ms(median(w))}  ${ms(Math.min(...w))}`);
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
  await benchVariants(date, root, RUNS);
  const anchor = await readerAnchor(date, root, cold.warmupDates);
  console.log(`anchor: BronzeReader read of all inputs (every column), same run: ${anchor.toFixed(1)} ms → pipeline/anchor = ${(warmTotal / anchor).toFixed(2)}×`);
  if (predecessorS) {
    console.log(
      `recorded, not measured in this run: predecessor es_pipeline on this day, wall time from the fixture's summary.json ` +
        `(CPython 3.11 + numba, when the fixture was made): ${(predecessorS * 1000).toFixed(0)} ms → ` +
        `recorded/ours ${(predecessorS * 1000 / cold.totalMs).toFixed(1)}× cold, ${(predecessorS * 1000 / warmTotal).toFixed(1)}× warm`,
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

if (!process.argv.includes("--no-heavy")) await benchHeavyDay();
