/**
 * The corrected variant (es_pipeline_pit) next to the reference on the same day, same run:
 * warm totals of both and their ratio (target ≤ 1.5×).
 */
import { runPipeline } from "../../src/silver/pipeline/run";
import { median } from "./args";

export async function benchVariants(date: string, dataRoot: string, runs: number): Promise<void> {
  const totals = { reference: [] as number[], corrected: [] as number[] };
  for (const v of ["reference", "corrected"] as const) await runPipeline({ date, dataRoot, variant: v }); // cold, discarded
  for (let i = 0; i < runs; i++) {
    for (const v of ["reference", "corrected"] as const) totals[v].push((await runPipeline({ date, dataRoot, variant: v })).totalMs);
  }
  const ref = median(totals.reference);
  const cor = median(totals.corrected);
  console.log(`variants, same run (interleaved, median of ${runs} warm): reference ${ref.toFixed(1)} ms, corrected (es_pipeline_pit) ${cor.toFixed(1)} ms → corrected/reference = ${(cor / ref).toFixed(2)}× (target ≤ 1.5×)`);
}
