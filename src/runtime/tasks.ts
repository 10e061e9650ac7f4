/**
 * What a batch worker task is, and the built-in tasks of the runtime itself. Each task runs
 * INSIDE a worker thread (workers/batch.ts); `WorkerPool.run(name, payload)` resolves with its
 * return value. The registry of every task by name is the application's (src/app/tasks.ts):
 * the runtime knows no library above it.
 *
 * Payloads and results cross threads by structured clone: plain data, typed arrays, Maps,
 * and `Frame`s (rebuilt as a Frame on the other side by pool.ts). Return
 * `transfer(value)` to move the result's ArrayBuffers instead of copying them — only when
 * the task keeps no reference to them (they become detached in the worker).
 */

export interface TaskContext {
  /** Index of the worker in its pool (0-based): handy for per-worker temp names. */
  readonly workerIndex: number;
  /** Sends a progress value to the caller's `onProgress` (if any); cheap, fire-and-forget. */
  progress(info: unknown): void;
  /** Runs `task` on another worker of the pool if one is idle right now (lend.ts). */
  lend: Lender;
}

/**
 * Runs a task on an idle worker of the caller's pool, or declines at once (`{ ran: false }`)
 * when none is idle or tasks are queued: a lent task never waits behind queued work, so
 * workers lending to each other cannot deadlock, and the caller does the work itself.
 */
export type Lender = (task: string, payload: unknown) => Promise<{ ran: false } | { ran: true; value: unknown }>;

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

/** Built-in tasks for `lake doctor` and diagnostics (cheap, no side effects beyond the worker). */
export const BUILTIN_TASKS: Record<string, TaskFn> = {
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
};
