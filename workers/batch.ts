/**
 * Batch worker entry point: runs named tasks from src/app/tasks.ts for WorkerPool
 * (src/runtime/pool.ts), one at a time. Protocol: src/runtime/worker-protocol.ts.
 * Thin by design — the work lives in src/; this file only moves messages.
 */
import { setDefaultDuckThreads } from "../src/runtime/duckdb-native";
import { findTask } from "../src/app/tasks";
import { setThreadLender } from "../src/runtime/lend";
import { Transfer, type Lender, type TaskContext } from "../src/runtime/tasks";
import { deserializeError, pack, serializeError, unpack, type FromWorker, type ToWorker } from "../src/runtime/worker-protocol";

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

const lendCalls = new Map<number, { resolve: (v: Awaited<ReturnType<Lender>>) => void; reject: (e: unknown) => void }>();
let nextCallId = 1;
const lend: Lender = (task, payload) =>
  new Promise((resolve, reject) => {
    const callId = nextCallId++;
    lendCalls.set(callId, { resolve, reject });
    send({ type: "lend", callId, task, payload: pack(payload) });
  });
setThreadLender(lend);

async function runTask(id: number, name: string, payload: unknown): Promise<void> {
  const fn = findTask(name);
  if (!fn) {
    send({ type: "err", id, error: { name: "LakeError", message: `unknown task "${name}"`, exitCode: 1 } });
    return;
  }
  const ctx: TaskContext = { workerIndex, progress: (info) => send({ type: "progress", id, info }), lend };
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
  } else if (msg.type === "lent") {
    const call = lendCalls.get(msg.callId);
    if (!call) return;
    lendCalls.delete(msg.callId);
    if (msg.outcome === "ok") call.resolve({ ran: true, value: unpack(msg.value) });
    else if (msg.outcome === "declined") call.resolve({ ran: false });
    else call.reject(deserializeError(msg.error!, "in a lent task"));
  }
};
