/**
 * bun run bench:lookahead — `lake silver lookahead` on the golden day (every event, both
 * variants): full analysis time, cut runs, and the per-run cost next to the anchor measured in
 * the same run: one whole-day `runPipeline` of the same variant (which reads Bronze from
 * Parquet). ratio = analysis time / (events × one whole-day run) shows what loading Bronze
 * once and cutting it in memory saves over the naive re-run per event.
 */
import { readerInput } from "../src/silver/pipeline/bronze-input";
import { runPipeline } from "../src/silver/pipeline/run";
import { analyseLookahead } from "../src/silver/lookahead/analyse";
import { median } from "./lib/args";
import { FIXTURE_DAY_A } from "../testkit/fixtures";

const D = "2026-01-14";
for (const [variant, version] of [["reference", "es_pipeline"], ["corrected", "es_pipeline_pit"]] as const) {
  await runPipeline({ date: D, dataRoot: FIXTURE_DAY_A, variant }); // warm-up
  const one: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await runPipeline({ date: D, dataRoot: FIXTURE_DAY_A, variant });
    one.push(performance.now() - t0);
  }
  const r = await analyseLookahead({ bronze: readerInput(FIXTURE_DAY_A), dates: [D], variant, version });
  const naive = (median(one) * r.events_checked) / 1000;
  console.log(
    `${version.padEnd(16)} ${r.events_checked} events, ${r.runs} cut runs, ${r.leaking.length} leaking: analysis ${r.seconds.toFixed(1)} s ` +
      `(${((r.seconds * 1000) / r.runs).toFixed(0)} ms/run) | anchor, same run: whole-day runPipeline ${median(one).toFixed(0)} ms → ` +
      `naive per-event re-run ≈ ${naive.toFixed(1)} s, ours/naive = ${(r.seconds / naive).toFixed(2)}× (target: ≤ 30 s)`,
  );
}
