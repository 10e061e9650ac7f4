/**
 * Worker tasks for tests only: they sleep, fail, crash (process.exit) and expose the
 * environment, so the pool's guarantees can be observed from inside a worker. The pool
 * knows them only while LAKE_TEST_FAULTS includes `worker-tasks` (src/core/test-faults.ts);
 * in production `pool.run("test.crash")` is an unknown task.
 */
import { LakeError } from "../errors";
import type { TaskFn } from "./tasks";

export const TEST_TASKS: Record<string, TaskFn> = {
  /** Sleeps `ms` then returns the worker index: lets tests observe concurrency bounds. */
  "test.sleep": async (payload: { ms: number }, ctx) => {
    await Bun.sleep(payload.ms);
    return ctx.workerIndex;
  },
  /**
   * Counts running tasks in a shared Int32Array [running, maxSeen] while sleeping `ms`:
   * the pool's concurrency bound observed from inside the workers.
   */
  "test.concurrency": async (payload: { counter: Int32Array; ms: number }) => {
    const now = Atomics.add(payload.counter, 0, 1) + 1;
    let seen = Atomics.load(payload.counter, 1);
    while (now > seen && Atomics.compareExchange(payload.counter, 1, seen, now) !== seen) seen = Atomics.load(payload.counter, 1);
    await Bun.sleep(payload.ms);
    Atomics.sub(payload.counter, 0, 1);
    return now;
  },
  /** Throws an error of the given kind with the given message. */
  "test.fail": (payload: { message: string; kind?: "LakeError" | "Error" }) => {
    if (payload.kind === "LakeError") throw new LakeError(payload.message);
    throw new Error(payload.message);
  },
  /** Kills its worker: "exit" = process.exit(3), "throw" = an uncaught exception outside the task. */
  "test.crash": (payload: { how: "exit" | "throw" }) => {
    if (payload.how === "exit") process.exit(3);
    setTimeout(() => {
      throw new Error("test.crash: uncaught exception in worker");
    }, 0);
    return new Promise(() => {});
  },
  /** The worker's value of an environment variable (checks workers inherit the current env). */
  "test.env": (payload: { name: string }) => process.env[payload.name] ?? null,
  /** Lends `task` to an idle worker of the pool (TaskContext.lend) and returns the answer. */
  "test.lend": (payload: { task: string; payload: unknown }, ctx) => ctx.lend(payload.task, payload.payload),
  /** Reports `n` progress ticks, then returns n. */
  "test.progress": async (payload: { n: number }, ctx) => {
    for (let i = 1; i <= payload.n; i++) ctx.progress({ done: i, total: payload.n });
    return payload.n;
  },
  /**
   * Arrives at a barrier of `parties` tasks (counter[0] counts arrivals) and waits until all
   * have arrived or `timeoutMs` passes: true only if `parties` tasks ran at the same time.
   */
  "test.barrier": async (payload: { counter: Int32Array; parties: number; timeoutMs: number }) => {
    Atomics.add(payload.counter, 0, 1);
    const deadline = Date.now() + payload.timeoutMs;
    while (Atomics.load(payload.counter, 0) < payload.parties) {
      if (Date.now() > deadline) return false;
      await Bun.sleep(2);
    }
    return true;
  },
};
