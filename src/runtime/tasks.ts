/**
 * Tasks the batch worker pool can run, by name. Each runs INSIDE a worker thread
 * (workers/batch.ts); `WorkerPool.run(name, payload)` resolves with its return value.
 *
 * To add a task, add ONE line here, loading its module lazily so a worker only loads the
 * code of the tasks it actually runs:
 *   "silver.buildDate": lazyTask(() => import("../silver/build-date-task"), "buildDate"),
 *
 * Payloads and results cross threads by structured clone: plain data, typed arrays, Maps,
 * and `Frame`s (rebuilt as a Frame on the other side by pool.ts). Return
 * `transfer(value)` to move the result's ArrayBuffers instead of copying them — only when
 * the task keeps no reference to them (they become detached in the worker).
 */
import { LakeError } from "../errors";

export interface TaskContext {
  /** Index of the worker in its pool (0-based): handy for per-worker temp names. */
  readonly workerIndex: number;
  /** Sends a progress value to the caller's `onProgress` (if any); cheap, fire-and-forget. */
  progress(info: unknown): void;
}

export type TaskFn = (payload: any, ctx: TaskContext) => unknown | Promise<unknown>;

/** Wraps a task result whose ArrayBuffers should be transferred, not copied. */
export class Transfer<T> {
  constructor(
    readonly value: T,
    readonly buffers?: ArrayBuffer[],
  ) {}
}
export function transfer<T>(value: T, buffers?: ArrayBuffer[]): T {
  return new Transfer(value, buffers) as unknown as T;
}

/** A task whose module is imported on first use (inside the worker). */
export function lazyTask<M>(load: () => Promise<M>, exportName: keyof M & string): TaskFn {
  let fn: TaskFn | undefined;
  return async (payload, ctx) => {
    if (!fn) {
      const mod = await load();
      const f = mod[exportName];
      if (typeof f !== "function") throw new Error(`task module has no function export "${exportName}"`);
      fn = f as TaskFn;
    }
    return fn(payload, ctx);
  };
}

/** Built-in tasks used by `lake doctor` and the runtime tests (cheap, no side effects beyond the worker). */
const builtin: Record<string, TaskFn> = {
  /** Returns its payload unchanged (round-trips structured clone, Frames and transfers). */
  echo: (payload) => payload,
  /** Like echo, but moves the result's buffers back instead of copying them. */
  "echo.transfer": (payload) => transfer(payload),
  /** Sum of a Float64Array / BigInt64Array / number[] payload (checks typed arrays arrive intact). */
  sum: (payload: ArrayLike<number | bigint>) => {
    if (payload instanceof BigInt64Array) {
      let s = 0n;
      for (const v of payload) s += v;
      return s;
    }
    let s = 0;
    for (let i = 0; i < payload.length; i++) s += payload[i] as number;
    return s;
  },
  /** DuckDB works inside workers too (the binary's embedded libduckdb is loaded per process once). */
  "duckdb.version": async () => {
    const { duckConnect } = await import("./duckdb-native");
    using conn = await duckConnect({ threads: 1 });
    const rows = (await conn.runAndReadAll("select version() as v")).getRows();
    return String(rows[0]![0]);
  },
  /** Sleeps `ms` then returns the worker index: lets tests observe concurrency bounds. */
  "debug.sleep": async (payload: { ms: number }, ctx) => {
    await Bun.sleep(payload.ms);
    return ctx.workerIndex;
  },
  /**
   * Counts running tasks in a shared Int32Array [running, maxSeen] while sleeping `ms`:
   * the pool's concurrency bound observed from inside the workers.
   */
  "debug.concurrency": async (payload: { counter: Int32Array; ms: number }) => {
    const now = Atomics.add(payload.counter, 0, 1) + 1;
    let seen = Atomics.load(payload.counter, 1);
    while (now > seen && Atomics.compareExchange(payload.counter, 1, seen, now) !== seen) seen = Atomics.load(payload.counter, 1);
    await Bun.sleep(payload.ms);
    Atomics.sub(payload.counter, 0, 1);
    return now;
  },
  /** Throws an error of the given kind with the given message. */
  "debug.fail": (payload: { message: string; kind?: "LakeError" | "Error" }) => {
    if (payload.kind === "LakeError") throw new LakeError(payload.message);
    throw new Error(payload.message);
  },
  /** Kills its worker: "exit" = process.exit(3), "throw" = an uncaught exception outside the task. */
  "debug.crash": (payload: { how: "exit" | "throw" }) => {
    if (payload.how === "exit") process.exit(3);
    setTimeout(() => {
      throw new Error("debug.crash: uncaught exception in worker");
    }, 0);
    return new Promise(() => {});
  },
  /** The worker's value of an environment variable (checks workers inherit the current env). */
  "debug.env": (payload: { name: string }) => process.env[payload.name] ?? null,
  /** Reports `n` progress ticks, then returns n. */
  "debug.progress": async (payload: { n: number }, ctx) => {
    for (let i = 1; i <= payload.n; i++) ctx.progress({ done: i, total: payload.n });
    return payload.n;
  },
};

export const TASKS: Record<string, TaskFn> = {
  ...builtin,
  // ── tasks added by other modules: one line each ──
  "silver.buildDate": lazyTask(() => import("../silver/build-date"), "buildDateTask"),
};
