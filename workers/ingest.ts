/**
 * Ingest worker entry point (one per consumer/table): thin by design, the work lives in
 * src/ingest/worker/ingest-worker.ts. Started by src/ingest/main/lane.ts via spawnWorker("ingest").
 */
import { runIngestWorker } from "../src/ingest/worker/ingest-worker";
import type { FromIngestWorker, ToIngestWorker } from "../src/ingest/common/protocol";

declare const self: Worker;

const post = (m: FromIngestWorker) => self.postMessage(m);
process.on("uncaughtException", (e) => post({ type: "fatal", error: String((e as Error)?.stack ?? e) }));
process.on("unhandledRejection", (e) => post({ type: "fatal", error: String((e as Error)?.stack ?? e) }));

runIngestWorker(post, (h) => {
  self.onmessage = (ev: MessageEvent<ToIngestWorker>) => h(ev.data);
});
