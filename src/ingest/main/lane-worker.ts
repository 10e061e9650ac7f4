/**
 * The main thread's end of one lane's worker (protocol in shared/protocol.ts): spawns it,
 * answers its ownership proofs from the lease, and turns its replies into promises —
 * recovery done, flush token confirmed, stream reset recorded, stopped. Acks and stats stay
 * with the lane (lane.ts), which gets the events.
 */
import { errorMessage, LakeError } from "../../errors";
import { log } from "../../log";
import { spawnWorker } from "../../runtime/workers";
import type { StreamIdentity } from "../common/commit";
import type { FromIngestWorker, WorkerInit, WorkerStats } from "../common/protocol";
import type { Proof } from "./lease";

export interface LaneWorkerEvents {
  /** A flush committed: every message ≤ commit.watermark is durable. */
  onCommit(m: Extract<FromIngestWorker, { type: "commit" }>): void;
  /** The committed watermark, reported by a confirmed flush or the final stop. */
  onWatermark(watermark: number): void;
  onStats(stats: WorkerStats): void;
  onFatal(error: string): void;
  /** A fresh proof of the durable's lease (absent: the lane is unfenced). */
  prove?: () => Promise<Proof>;
}

export interface Recovered {
  watermark: number;
  /** The stream the watermark counts in, as the commit record says. */
  stream?: StreamIdentity;
}

type StopResult = { ok: boolean; error?: string };

export class LaneWorker {
  /** Resolves once start-up recovery is done; rejects when the worker fails first. */
  readonly ready: Promise<Recovered>;
  private worker: Worker | null;
  private readyResolve!: (r: Recovered) => void;
  private readyReject!: (e: Error) => void;
  private readonly flushWaiters = new Map<number, { resolve: (w: number) => void; reject: (e: Error) => void }>();
  private resetToken = 0;
  private readonly resetWaiters = new Map<number, (r: { watermark: number; error?: string }) => void>();
  private stoppedResolve: ((r: StopResult) => void) | null = null;
  private failedWith: string | null = null;
  private readonly durable: string;

  constructor(
    init: Omit<WorkerInit, "type">,
    private readonly events: LaneWorkerEvents,
  ) {
    this.durable = init.consumer;
    this.ready = new Promise((res, rej) => {
      this.readyResolve = res;
      this.readyReject = rej;
    });
    const w = spawnWorker("ingest");
    this.worker = w;
    w.onmessage = (ev: MessageEvent<FromIngestWorker>) => this.onMessage(ev.data);
    w.onerror = (ev) => this.onMessage({ type: "fatal", error: String((ev as ErrorEvent).message ?? ev) });
    w.postMessage({ type: "init", ...init });
  }

  private onMessage(m: FromIngestWorker): void {
    switch (m.type) {
      case "ready":
        if (m.removed) log.warn("recovered a half-finished flush", { durable: this.durable, removedFiles: m.removed });
        this.readyResolve({ watermark: m.watermark, stream: m.stream });
        break;
      case "fence": {
        const reply = (p: Proof) => this.worker?.postMessage({ type: "fence-reply", id: m.id, ...p });
        if (!this.events.prove) reply({ ok: true, lost: false, validUntil: Infinity });
        else this.events.prove().then(reply, (e) => reply({ ok: false, lost: false, validUntil: 0, reason: errorMessage(e) }));
        break;
      }
      case "stream-reset-done":
        this.resetWaiters.get(m.token)?.({ watermark: m.watermark, error: m.error });
        this.resetWaiters.delete(m.token);
        break;
      case "commit":
        this.events.onCommit(m);
        break;
      case "flushed":
        this.events.onWatermark(m.watermark);
        this.flushWaiters.get(m.token)?.resolve(m.watermark);
        this.flushWaiters.delete(m.token);
        break;
      case "stats":
        this.events.onStats(m.stats);
        break;
      case "log":
        log[m.level](m.msg, m.fields);
        break;
      case "stopped":
        this.readyReject(new Error("stopped during start-up"));
        this.events.onWatermark(m.watermark);
        this.stoppedResolve?.({ ok: m.ok, error: m.error });
        break;
      case "fatal":
        this.events.onFatal(m.error);
        break;
    }
  }

  /** Resolves with the committed watermark once the worker confirms flush `token`. */
  flushed(token: number): Promise<number> {
    if (this.failedWith) return Promise.reject(new LakeError(this.failedWith));
    return new Promise((resolve, reject) => this.flushWaiters.set(token, { resolve, reject }));
  }

  /** The stream the consumer reads now (recorded in every commit record from now on). */
  setStream(stream: StreamIdentity): void {
    this.worker?.postMessage({ type: "stream", stream });
  }

  /** Archive the commit record and restart the watermark at 0 in `stream`; resolves with it. */
  resetWatermark(stream: StreamIdentity): Promise<number> {
    const token = ++this.resetToken;
    return new Promise((resolve, reject) => {
      this.resetWaiters.set(token, (r) => (r.error ? reject(new Error(`stream reset not recorded: ${r.error}`)) : resolve(r.watermark)));
      this.worker!.postMessage({ type: "stream-reset", token, stream });
    });
  }

  /** The lane failed: nothing the worker would still confirm may hold up its loop or shutdown. */
  failAll(error: string): void {
    this.failedWith = error;
    this.readyReject(new LakeError(error));
    this.stoppedResolve?.({ ok: false, error });
    for (const w of this.flushWaiters.values()) w.reject(new LakeError(error));
    this.flushWaiters.clear();
  }

  /** Drain, flush and commit, then end the thread; a failed lane or the deadline ends it anyway. */
  async stop(deadlineMs: number): Promise<StopResult> {
    const w = this.worker;
    if (!w) return { ok: true };
    const stopped = new Promise<StopResult>((res) => (this.stoppedResolve = res));
    if (this.failedWith) this.stoppedResolve!({ ok: false, error: this.failedWith });
    w.postMessage({ type: "stop", deadlineMs });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<StopResult>((res) => {
      timer = setTimeout(() => res({ ok: false, error: "worker did not stop before the deadline" }), Math.max(0, deadlineMs - Date.now()) + 1000);
    });
    const r = await Promise.race([stopped, timeout]);
    clearTimeout(timer);
    w.terminate();
    this.worker = null;
    return r;
  }
}
