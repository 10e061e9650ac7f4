/**
 * Body of an ingest worker thread (entry: workers/ingest.ts): drain the SharedArrayBuffer
 * ring into a TableWriter, run the flush timer, and report commits so the main thread can
 * ack. One worker per consumer (table).
 */
import { errorMessage } from "../errors";
import { openStore } from "../storage/index";
import { decoderForTable } from "./decode/index";
import { mbpStats } from "./decode/mbp10";
import type { FromIngestWorker, ToIngestWorker, WorkerInit, WorkerStats } from "./protocol";
import { KIND_DATA, KIND_FLUSH, KIND_TOO_LARGE, RingReader } from "./ring";
import { TableWriter } from "./table-writer";

export function runIngestWorker(post: (m: FromIngestWorker) => void, onMessage: (h: (m: ToIngestWorker) => void) => void): void {
  let writer: TableWriter | null = null;
  let reader: RingReader | null = null;
  let stopping: { deadlineMs: number } | null = null;
  let loopDone: Promise<void> | null = null;

  const stats = (): WorkerStats => ({
    decoded: writer?.decoded ?? 0,
    duplicates: writer?.duplicates ?? 0,
    bufferedRows: writer?.bufferedRows ?? 0,
    failedFlushes: writer?.failedFlushes ?? 0,
    truncatedLevels: mbpStats.truncatedLevels,
  });
  const fatal = (e: unknown) => post({ type: "fatal", error: errorMessage(e) });

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
    const store = openStore(init.store);
    writer = new TableWriter({
      decoder: decoderForTable(init.table),
      consumer: init.consumer,
      store,
      bufferLimit: init.bufferLimit,
      flushIntervalMs: init.flushIntervalMs,
      writerId: init.writerId,
      onCommit: (p) => post({ type: "commit", rows: p.rows, quarantined: p.quarantined, commit: p.commit, stats: stats() }),
      onLog: (level, msg, fields) => post({ type: "log", level, msg, fields }),
    });
    reader = new RingReader(init.ring);
    // Recovery may meet an unavailable store: retry until it answers (nothing is consumed meanwhile).
    let delay = 200;
    for (;;) {
      try {
        const removed = await writer.init();
        post({ type: "ready", watermark: writer.commit.watermark, removed });
        break;
      } catch (e) {
        post({ type: "log", level: "warn", msg: "start-up recovery failed, retrying", fields: { consumer: init.consumer, error: errorMessage(e) } });
        await Bun.sleep(delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
    loopDone = loop();
  }

  async function stop(deadlineMs: number): Promise<void> {
    stopping = { deadlineMs };
    try {
      await loopDone;
      const w = writer!;
      // Everything the main thread pushed before "stop" is in the ring: take it all.
      while (reader!.hasData()) {
        reader!.drain((k, s, subj, body) => (k === KIND_FLUSH ? true : handle(k, s, subj, body)));
        if (reader!.hasData()) await w.flushAll(deadlineMs);
      }
      await w.flushAll(deadlineMs);
      post({ type: "stopped", ok: true, watermark: w.commit.watermark });
    } catch (e) {
      post({ type: "stopped", ok: false, watermark: writer?.commit?.watermark ?? 0, error: errorMessage(e) });
    }
  }

  onMessage((m) => {
    if (m.type === "init") start(m).catch(fatal);
    else if (m.type === "stop") stop(m.deadlineMs).catch(fatal);
  });
}
