/**
 * Body of an ingest worker thread (entry: workers/ingest.ts): drain the SharedArrayBuffer
 * ring into a TableWriter, run the flush timer, and report commits so the main thread can
 * ack. One worker per consumer (table).
 */
import { errorMessage } from "../../errors";
import { openStore } from "../../storage/index";
import { decoderForTable } from "./decode/index";
import { mbpStats } from "./decode/mbp10";
import { FencedError } from "../common/commit";
import type { FenceReply, FromIngestWorker, ToIngestWorker, WorkerInit, WorkerStats } from "../common/protocol";
import { KIND_DATA, KIND_FLUSH, KIND_TOO_LARGE, RingReader } from "../common/ring";
import { TableWriter } from "./table-writer";
import { TornRecordError } from "../common/commit";

export function runIngestWorker(post: (m: FromIngestWorker) => void, onMessage: (h: (m: ToIngestWorker) => void) => void): void {
  let writer: TableWriter | null = null;
  let reader: RingReader | null = null;
  let stopping: { deadlineMs: number } | null = null;
  let loopDone: Promise<void> | null = null;

  const stats = (): WorkerStats => statsOf(writer);
  const fatal = (e: unknown) => post({ type: "fatal", error: errorMessage(e) });
  const { fence, onFenceReply } = fenceClient(post);

  function handle(kind: number, seq: number, subject: Uint8Array, body: Uint8Array): boolean {
    const w = writer!;
    if (kind === KIND_FLUSH) {
      if (w.flushing) return false; // let the running flush finish first
      w.flushAll().then(() => post({ type: "flushed", token: seq, watermark: w.commit.watermark }), fatal);
      return true;
    }
    if (!w.canAccept()) return false;
    if (kind === KIND_DATA) w.accept(subject, seq, body);
    else if (kind === KIND_TOO_LARGE) w.accept(subject, seq, body.subarray(4), new DataView(body.buffer, body.byteOffset, 4).getUint32(0, true));
    return true;
  }

  async function loop(): Promise<void> {
    let lastStats = 0;
    let idle = 0;
    while (!stopping) {
      if (reader!.drain(handle) > 0) idle = 0;
      writer!.maybeFlush()?.catch(fatal);
      const now = Date.now();
      if (now - lastStats >= 1000) {
        lastStats = now;
        post({ type: "stats", stats: stats() });
      }
      // Always yield to the macrotask queue: an await that resolves at once only yields a
      // microtask, and a loop of those starves the flush's file/S3 I/O forever (we hit that
      // deadlock: buffer full, flush never completing).
      // Idle: poll on a 1 ms timer for a while before parking on the futex — while data
      // flows, the producer then almost never has to call Atomics.notify, which measured
      // 10% of the main thread when the worker parked after every burst.
      if (!writer!.canAccept()) await Bun.sleep(2);
      else if (reader!.hasData()) await new Promise<void>((r) => setImmediate(r));
      else if (++idle < 50) await Bun.sleep(1);
      else await reader!.waitForData(50);
    }
  }

  async function start(init: WorkerInit): Promise<void> {
    writer = createWriter(init, post, fence, stats);
    reader = new RingReader(init.ring);
    // Recovery may meet an unavailable store: retry until it answers (nothing is consumed
    // meanwhile) or the service stops. A torn record cannot heal by retrying: refuse.
    let delay = 200;
    while (!stopping) {
      try {
        const removed = await writer.init();
        if (stopping) return;
        post({ type: "ready", watermark: writer.commit.watermark, removed, stream: writer.commit.stream });
        loopDone = loop();
        return;
      } catch (e) {
        if (e instanceof TornRecordError || e instanceof FencedError) throw e;
        post({ type: "log", level: "warn", msg: "start-up recovery failed, retrying", fields: { consumer: init.consumer, error: errorMessage(e) } });
        await Bun.sleep(delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  async function stop(deadlineMs: number): Promise<void> {
    stopping = { deadlineMs };
    if (!writer?.commit) {
      post({ type: "stopped", ok: true, watermark: 0 }); // stopped during start-up recovery: nothing consumed
      return;
    }
    try {
      await loopDone;
      const w = writer!;
      await drainRing(reader!, w, handle, deadlineMs);
      await w.flushAll(deadlineMs);
      post({ type: "stopped", ok: true, watermark: w.commit.watermark });
    } catch (e) {
      post({ type: "stopped", ok: false, watermark: writer?.commit?.watermark ?? 0, error: errorMessage(e) });
    }
  }

  onMessage((m) => {
    if (m.type === "init") start(m).catch(fatal);
    else if (m.type === "stop") stop(m.deadlineMs).catch(fatal);
    else if (m.type === "fence-reply") onFenceReply(m);
    else if (m.type === "stream") writer?.setStream(m.stream);
    else if (m.type === "stream-reset") {
      writer!.acceptStreamReset(m.stream).then(
        (c) => post({ type: "stream-reset-done", token: m.token, watermark: c.watermark }),
        (e) => post({ type: "stream-reset-done", token: m.token, watermark: writer!.commit.watermark, error: errorMessage(e) }),
      );
    }
  });
}

function statsOf(writer: TableWriter | null): WorkerStats {
  return {
    decoded: writer?.decoded ?? 0,
    duplicates: writer?.duplicates ?? 0,
    bufferedRows: writer?.bufferedRows ?? 0,
    failedFlushes: writer?.failedFlushes ?? 0,
    truncatedLevels: mbpStats.truncatedLevels,
  };
}

/** Ownership proofs come from the main thread, which holds the lease (lease.ts). */
function fenceClient(post: (m: FromIngestWorker) => void) {
  const fenceWaiters = new Map<number, { resolve: (validUntil: number) => void; reject: (e: Error) => void }>();
  let fenceId = 0;
  const fence = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const id = ++fenceId;
      fenceWaiters.set(id, { resolve, reject });
      post({ type: "fence", id });
    });
  const onFenceReply = (m: FenceReply) => {
    const w = fenceWaiters.get(m.id);
    fenceWaiters.delete(m.id);
    if (!w) return;
    if (m.ok) w.resolve(m.validUntil);
    else w.reject(m.lost ? new FencedError(m.reason ?? "lease lost") : new Error(m.reason ?? "ownership not proven"));
  };
  return { fence, onFenceReply };
}

function createWriter(init: WorkerInit, post: (m: FromIngestWorker) => void, fence: () => Promise<number>, stats: () => WorkerStats): TableWriter {
  const store = openStore(init.store);
  return new TableWriter({
    decoder: decoderForTable(init.table),
    consumer: init.consumer,
    store,
    bufferLimit: init.bufferLimit,
    flushIntervalMs: init.flushIntervalMs,
    writerId: init.writerId,
    epoch: init.epoch,
    fence: init.epoch > 0 ? fence : undefined,
    onCommit: (p) => post({ type: "commit", rows: p.rows, quarantined: p.quarantined, commit: p.commit, stats: stats(), bytes: p.bytes, flushSeconds: p.flushSeconds }),
    onLog: (level, msg, fields) => post({ type: "log", level, msg, fields }),
  });
}

/** Everything the main thread pushed before "stop" is in the ring: take it all (flush requests are moot now). */
async function drainRing(reader: RingReader, w: TableWriter, handle: (kind: number, seq: number, subject: Uint8Array, body: Uint8Array) => boolean, deadlineMs: number): Promise<void> {
  while (reader.hasData()) {
    reader.drain((k, s, subj, body) => (k === KIND_FLUSH ? true : handle(k, s, subj, body)));
    if (reader.hasData()) await w.flushAll(deadlineMs);
  }
}
