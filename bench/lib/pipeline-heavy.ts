/**
 * bench:pipeline, heavy-scale section — the physics stages S7–S13 (`--no-heavy` skips it). Two cases:
 *  1. the simulator's heavy day (≈2.5 M raw MBP-10 rows) through the whole pipeline, per stage;
 *     anchor: one pass over the raw book's size columns in the same run;
 *  2. the physics stages' worst case: 1 M snapshots handed straight to S7–S13 (S1's 250 ms
 *     downsampling caps a real day at ~95 k), 2 M trades, 5 000 events, 50 k option trades.
 *     The 250 k → 1 M step shows the scaling (linear ≈ ×4, quadratic ≈ ×16).
 */
import { generateDay } from "../../src/sim/day";
import { frameInput } from "../../src/silver/pipeline/bronze-input";
import { runPipeline } from "../../src/silver/pipeline/run";
import physicsS07 from "../../src/silver/pipeline/stages/s07-compute-physics";
import physicsS08 from "../../src/silver/pipeline/stages/s08-multi-window-kinematics";
import physicsS09 from "../../src/silver/pipeline/stages/s09-multi-window-ofi";
import physicsS10 from "../../src/silver/pipeline/stages/s10-barrier-evolution";
import physicsS11 from "../../src/silver/pipeline/stages/s11-level-distances";
import physicsS12 from "../../src/silver/pipeline/stages/s12-gex-features";
import physicsS13 from "../../src/silver/pipeline/stages/s13-force-mass";
import { heavyDayContext } from "../../testkit/heavy-day";

const PHYSICS_IDS = new Set(["S7", "S8", "S9", "S10", "S11", "S12", "S13"]);

async function benchHeavySimulatedDay(): Promise<void> {
  const date = "2026-03-04";
  const day = generateDay({ date, seed: 7, scale: "heavy", signals: false });
  const a0 = performance.now();
  let sink = 0;
  for (let k = 1; k <= 10; k++) {
    for (const side of ["bid", "ask"]) {
      const v = day.mbp10.values<BigInt64Array>(`${side}_sz_${k}`);
      for (let i = 0; i < v.length; i++) sink += Number(v[i]!);
    }
  }
  const anchorMs = performance.now() - a0;
  const bronze = frameInput({ trades: { [date]: day.trades }, mbp10: { [date]: day.mbp10 }, options: { [date]: day.options } });
  const res = await runPipeline({ date, bronze, variant: "reference" });
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

/** Both heavy cases, printed under their own heading. */
export async function benchHeavyDay(): Promise<void> {
  console.log("\n## heavy-scale day (S7–S13; skip with --no-heavy)");
  await benchHeavySimulatedDay();
  await benchPhysicsMillionSnapshots();
}
