/**
 * Batch worker entry point: runs named tasks from src/app/tasks.ts for WorkerPool
 * (src/runtime/pool.ts), one at a time. Protocol: src/runtime/worker-protocol.ts.
 * Thin by design — the work lives in src/; this file only moves messages.
 */
import { setDefaultDuckThreads } from "../src/runtime/duckdb-native";
import { findTask } from "../src/app/tasks";
import { Transfer, type TaskContext } from "../src/runtime/tasks";
import { pack, serializeError, unpack, type FromWorker, type ToWorker } from "../src/runtime/worker-protocol";

declare const self: Worker;

let workerIndex = 0;

function send(msg: FromWorker, transferList?: ArrayBuffer[]): void {
  self.postMessage(msg, transferList ?? []);
}

// An exception that escapes a task's promise (a stray timer, an unhandled rejection) kills
// this worker; say why first, so the pool can reject the running task with the real message.
function dieWith(e: unknown): void {
  send({ type: "fatal", error: serializeError(e) });
  process.exit(70);
}
process.on("uncaughtException", dieWith);
process.on("unhandledRejection", dieWith);

async function runTask(id: number, name: string, payload: unknown): Promise<void> {
  const fn = findTask(name);
  if (!fn) {
    send({ type: "err", id, error: { name: "LakeError", message: `unknown task "${name}"`, exitCode: 1 } });
    return;
  }
  const ctx: TaskContext = { workerIndex, progress: (info) => send({ type: "progress", id, info }) };
  try {
    const value = await fn(unpack(payload), ctx);
    if (value instanceof Transfer) {
      const buffers = new Set<ArrayBuffer>(value.buffers ?? []);
      const packed = pack(value.value, value.buffers ? undefined : buffers);
      send({ type: "ok", id, value: packed }, [...buffers]);
      return;
    }
    send({ type: "ok", id, value: pack(value) });
  } catch (e) {
    send({ type: "err", id, error: serializeError(e) });
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  if (msg.type === "init") {
    workerIndex = msg.workerIndex;
    setDefaultDuckThreads(msg.duckdbThreads);
    send({ type: "ready" });
  } else if (msg.type === "run") {
    void runTask(msg.id, msg.task, msg.payload);
  }
};
