/** Worker entry for the framework test: runs es_pipeline off the main thread. */
import { runPipeline } from "../../../src/silver/pipeline/run";

declare const self: Worker;
self.onmessage = async (e: MessageEvent<{ date: string; dataRoot: string }>) => {
  try {
    const r = await runPipeline({ ...e.data, variant: "reference" });
    self.postMessage({ rows: r.frame.numRows, columns: r.frame.columns.length, ids: r.frame.values<string[]>("event_id").slice(), stages: r.timings.length });
  } catch (err) {
    self.postMessage({ error: String(err) });
  }
};
