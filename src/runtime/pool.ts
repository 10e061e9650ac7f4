/**
 * WorkerPool: run named tasks (registered in src/app/tasks.ts) on a fixed number of batch worker
 * threads (workers/batch.ts). One binary, one pool: the Silver builder and any other batch
 * job share it.
 *
 *   await using pool = new WorkerPool({ size: 2 });
 *   const rows = await pool.run<number>("silver.buildDate", { date: "2026-01-05" });
 *
 * Guarantees:
 * - at most `size` tasks run at once; the rest wait in FIFO order;
 * - an error thrown by a task rejects its `run` with the task's message (lake error classes
 *   and exit codes preserved);
 * - a worker that dies (uncaught exception, process.exit, crash) rejects the task it was
 *   running and is replaced on demand — other tasks carry on;
 * - idle workers do not keep the process alive; `close()` stops them all.
 */
import { LakeError } from "../errors";
import { deserializeError, pack, serializeError, unpack, type FromWorker, type ToWorker, type SerializedError } from "./worker-protocol";
import { spawnWorker, type WorkerEntry } from "./workers";

export interface WorkerPoolOptions {
  /** Worker threads; default the number of CPU cores. */
  size?: number;
  /** Worker entry point; default "batch". */
  entry?: WorkerEntry;
  /** Names of the tasks the workers know: an unknown name is rejected up front, not by a worker. */
  knownTasks?: readonly string[];
}

export interface RunOptions {
  /** Move these buffers to the worker instead of copying; `true` = every typed array in the payload. */
  transfer?: ArrayBuffer[] | boolean;
  /** Called with each `ctx.progress(info)` the task sends. */
  onProgress?: (info: unknown) => void;
  /** Abort: a queued task is dropped; a running one has its worker terminated (and replaced). */
  signal?: AbortSignal;
}

interface Job {
  id: number;
  task: string;
  payload: unknown;
  transfer: ArrayBuffer[];
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onProgress?: (info: unknown) => void;
  detachAbort?: () => void;
}

interface Slot {
  index: number;
  worker: Worker;
  job: Job | null;
  /** Set once the slot is finished (crashed, aborted or closed): later events are ignored. */
  gone: boolean;
  fatal?: SerializedError;
  exited: Promise<void>;
}

export class WorkerPool implements AsyncDisposable {
  readonly size: number;
  private readonly entry: WorkerEntry;
  private readonly knownTasks?: ReadonlySet<string>;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private counters = { completed: 0, failed: 0, crashed: 0 };

  constructor(opts: WorkerPoolOptions = {}) {
    const size = opts.size ?? Math.max(1, navigator.hardwareConcurrency || 1);
    if (!Number.isInteger(size) || size < 1) throw new LakeError(`WorkerPool size must be a positive integer, got ${size}`);
    this.size = size;
    this.entry = opts.entry ?? "batch";
    if (opts.knownTasks) this.knownTasks = new Set(opts.knownTasks);
  }

  run<T = unknown>(task: string, payload?: unknown, opts: RunOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new LakeError(`worker pool is closed (task "${task}")`));
    if (this.knownTasks && !this.knownTasks.has(task)) {
      return Promise.reject(new LakeError(`unknown task "${task}" (known: ${[...this.knownTasks].sort().join(", ")})`));
    }
    if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal, task));
    const buffers = opts.transfer === true ? new Set<ArrayBuffer>() : undefined;
    const packed = pack(payload, buffers);
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        id: this.nextId++,
        task,
        payload: packed,
        transfer: buffers ? [...buffers] : Array.isArray(opts.transfer) ? opts.transfer : [],
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress: opts.onProgress,
      };
      if (opts.signal) {
        const signal = opts.signal;
        const onAbort = () => this.abort(job, abortError(signal, task));
        signal.addEventListener("abort", onAbort, { once: true });
        job.detachAbort = () => signal.removeEventListener("abort", onAbort);
      }
      this.queue.push(job);
      this.dispatch();
    });
  }

  /**
   * Start every worker now instead of on first use: a task that lends work to idle workers
   * (lend.ts) then finds them loaded rather than paying a thread's start-up mid-run.
   */
  prestart(): this {
    while (!this.closed && this.slots.length < this.size) this.spawn();
    return this;
  }

  /** Live counts, for progress displays and tests. */
  stats() {
    return {
      size: this.size,
      workers: this.slots.length,
      busy: this.slots.filter((s) => s.job).length,
      queued: this.queue.length,
      ...this.counters,
    };
  }

  /** Reject queued and running tasks and stop every worker. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) settle(job, "reject", new LakeError(`worker pool closed before task "${job.task}" ran`));
    const exits = this.slots.map((slot) => {
      if (slot.job) settle(slot.job, "reject", new LakeError(`worker pool closed while task "${slot.job.task}" was running`));
      return this.retire(slot);
    });
    await Promise.all(exits);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private dispatch(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot) {
        if (this.slots.length >= this.size) return;
        slot = this.spawn();
      }
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      const msg: ToWorker = { type: "run", id: job.id, task: job.task, payload: job.payload };
      try {
        slot.worker.postMessage(msg, job.transfer);
      } catch (e) {
        slot.job = null;
        slot.worker.unref();
        settle(job, "reject", new LakeError(`task "${job.task}": payload cannot be sent to a worker: ${(e as Error).message}`));
      }
    }
  }

  private spawn(): Slot {
    const used = new Set(this.slots.map((s) => s.index));
    let index = 0;
    while (used.has(index)) index++;
    const worker = spawnWorker(this.entry, { name: `lake-${this.entry}-${index}` });
    worker.unref(); // an idle worker never holds the process open; a job refs it (dispatch)
    let onExit!: () => void;
    const slot: Slot = { index, worker, job: null, gone: false, exited: new Promise<void>((r) => (onExit = r)) };
    worker.addEventListener("message", (ev: MessageEvent<FromWorker>) => this.onMessage(slot, ev.data));
    worker.addEventListener("error", (ev: Event) => {
      const message = (ev as ErrorEvent).message ?? "unknown error";
      this.onCrash(slot, slot.fatal?.message ?? lastErrorLine(message));
    });
    worker.addEventListener("close", (ev: Event) => {
      onExit();
      this.onCrash(slot, slot.fatal?.message ?? `worker exited with code ${(ev as CloseEvent).code}`);
    });
    const cores = Math.max(1, navigator.hardwareConcurrency || 1);
    worker.postMessage({ type: "init", workerIndex: index, duckdbThreads: Math.max(1, Math.floor(cores / this.size)) } satisfies ToWorker);
    this.slots.push(slot);
    return slot;
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    if (slot.gone) return;
    if (msg.type === "fatal") {
      slot.fatal = msg.error;
      return;
    }
    if (msg.type === "ready") return;
    if (msg.type === "lend") {
      this.lend(slot, msg.callId, msg.task, msg.payload);
      return;
    }
    const job = slot.job;
    if (!job || job.id !== msg.id) return;
    if (msg.type === "progress") {
      try {
        job.onProgress?.(msg.info);
      } catch {
        /* a broken progress callback must not break the task */
      }
      return;
    }
    slot.job = null;
    slot.worker.unref();
    if (msg.type === "ok") {
      this.counters.completed++;
      settle(job, "resolve", unpack(msg.value));
    } else {
      this.counters.failed++;
      settle(job, "reject", deserializeError(msg.error, `in worker task "${job.task}"`));
    }
    this.dispatch();
  }

  /**
   * Run a task a worker asked for (TaskContext.lend) on an idle worker, spawning one if the
   * pool is not full; declined when none is free or tasks are queued, so lent work never
   * delays or deadlocks queued work. The answer goes to the asking worker if it still runs.
   */
  private lend(from: Slot, callId: number, task: string, payload: unknown): void {
    const answer = (msg: Omit<Extract<ToWorker, { type: "lent" }>, "type" | "callId">) => {
      if (!from.gone) from.worker.postMessage({ type: "lent", callId, ...msg } satisfies ToWorker);
    };
    const known = !this.knownTasks || this.knownTasks.has(task);
    let slot = this.closed || this.queue.length || !known ? undefined : this.slots.find((s) => !s.job && s !== from);
    if (!slot && !this.closed && !this.queue.length && known && this.slots.length < this.size) slot = this.spawn();
    if (!slot) {
      answer({ outcome: "declined" });
      return;
    }
    const job: Job = {
      id: this.nextId++,
      task,
      payload,
      transfer: [],
      resolve: (v) => answer({ outcome: "ok", value: pack(v) }),
      reject: (e) => answer({ outcome: "err", error: serializeError(e) }),
    };
    slot.job = job;
    slot.worker.ref();
    slot.worker.postMessage({ type: "run", id: job.id, task, payload } satisfies ToWorker);
  }

  private onCrash(slot: Slot, reason: string): void {
    if (slot.gone) return;
    this.counters.crashed++;
    const job = slot.job;
    void this.retire(slot);
    if (job) settle(job, "reject", new LakeError(`worker crashed while running task "${job.task}": ${reason}`));
    if (!this.closed) this.dispatch();
  }

  private abort(job: Job, err: Error): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      settle(job, "reject", err);
      return;
    }
    const slot = this.slots.find((s) => s.job === job);
    if (!slot) return;
    void this.retire(slot);
    settle(job, "reject", err);
    if (!this.closed) this.dispatch();
  }

  /** Remove a slot from the pool and stop its worker; resolves when the thread has exited. */
  private retire(slot: Slot): Promise<void> {
    if (!slot.gone) {
      slot.gone = true;
      slot.job = null;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      slot.worker.terminate();
    }
    // A thread stuck in native code may never report its exit; don't hang close() on it.
    // The timer is unref'd so a finished pool never holds the process open.
    return Promise.race([slot.exited, new Promise<void>((r) => setTimeout(r, 5_000).unref())]);
  }
}

function settle(job: Job, how: "resolve" | "reject", v: unknown): void {
  job.detachAbort?.();
  if (how === "resolve") job.resolve(v);
  else job.reject(v);
}

function abortError(signal: AbortSignal, task: string): Error {
  const reason = signal.reason instanceof Error ? signal.reason.message : signal.reason ? String(signal.reason) : "aborted";
  const e = new LakeError(`task "${task}" aborted: ${reason}`);
  e.name = "AbortError";
  return e;
}

/** Bun's worker ErrorEvent message is a source excerpt ending in "error: <message>". */
function lastErrorLine(message: string): string {
  const m = /(?:^|\n)\s*(?:\w*Error|error): ([^\n]*)\s*(?:\n\s+at |\s*$)/.exec(message);
  return m ? m[1]!.trim() : message.trim().split("\n").pop() ?? message;
}
