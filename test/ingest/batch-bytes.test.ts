/**
 * A batch is capped by decoded bytes as well as by rows: with a large bufferLimit on the wide
 * MBP-10 table the flush starts at maxBatchBytes, every row is committed once, and the
 * committed files hold the messages in order.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localStore } from "../../src/storage/index";
import { TableWriter } from "../../src/ingest/worker/table-writer";
import { rowBytes } from "../../src/ingest/worker/decode/table-buffer";
import { mbp10Decoder } from "../../src/ingest/worker/decode/index";
import { mbp } from "../../testkit/ingest-messages";

test("the row cap of a batch follows maxBatchBytes on wide rows", async () => {
  const root = mkdtempSync(join(tmpdir(), "lake-batch-bytes-"));
  try {
    const store = localStore(root);
    const perRow = rowBytes(mbp10Decoder.schema);
    const w = new TableWriter({ decoder: mbp10Decoder, consumer: "m_bytes", store, bufferLimit: 1_000_000, maxBatchBytes: 100 * perRow, flushIntervalMs: 3_600_000, writerId: "wB" });
    expect(w.rowLimit).toBe(100);
    await w.init();
    const subject = new TextEncoder().encode(mbp10Decoder.subject);
    let flushes = 0;
    for (let i = 0; i < 350; i++) {
      w.accept(subject, i + 1, new TextEncoder().encode(mbp(i).body));
      const p = w.maybeFlush();
      if (p) {
        flushes++;
        await p; // the size trigger, not the (hour-long) interval
      }
    }
    expect(flushes).toBe(3);
    expect(w.commit.rowsTotal).toBe(300);
    await w.flushAll();
    expect(w.commit.rowsTotal).toBe(350);
    expect(w.commit.watermark).toBe(350);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
