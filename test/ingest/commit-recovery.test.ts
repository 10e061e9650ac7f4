/**
 * Start-up recovery of the commit protocol (src/ingest/common/commit.ts): files of a flush whose
 * intent is newer than the commit record are removed (their messages were never acked);
 * files of committed flushes are never touched.
 */
import { expect, test } from "bun:test";
import { localStore } from "../../src/storage/index";
import { recover, writeCommit, writeIntent, emptyCommit, partFileName } from "../../src/ingest/common/commit";
import { tempDir } from "./helpers/harness";

test("recovery removes the files of an uncommitted flush and keeps committed ones", async () => {
  using tmp = tempDir("lake-ingest-recover-");
  const store = localStore(tmp.path);
  const consumer = "bronze_writer_market_futures_trades";
  const committedKey = `bronze/futures/trades/symbol=ES/date=2025-12-16/hour=14/${partFileName("wA", 1, 1, 10, "parquet")}`;
  const halfKeys = [2, 3].map((i) => `bronze/futures/trades/symbol=ES/date=2025-12-16/hour=1${i}/${partFileName("wA", 2, 11, 20, "parquet")}`);
  await store.put(committedKey, "committed");
  await writeCommit(store, { ...emptyCommit(consumer, "futures.trades"), flushId: 1, watermark: 10 });
  // Flush 2 crashed after its intent and one of its two files.
  await writeIntent(store, { version: 1, consumer, flushId: 2, writer: "wA", fromSeq: 11, toSeq: 20, keys: halfKeys, createdAt: "" });
  await store.put(halfKeys[0]!, "half");

  const r = await recover(store, consumer, "futures.trades");
  expect(r.commit.watermark).toBe(10);
  expect(r.removed).toEqual([halfKeys[0]!]);
  expect(await store.exists(halfKeys[0]!)).toBe(false);
  expect(await store.exists(committedKey)).toBe(true);

  // Once flush 2 is committed, its intent is history: recovery removes nothing.
  await store.put(halfKeys[0]!, "redone");
  await writeCommit(store, { ...emptyCommit(consumer, "futures.trades"), flushId: 2, watermark: 20 });
  const again = await recover(store, consumer, "futures.trades");
  expect(again.removed).toEqual([]);
  expect(again.commit.watermark).toBe(20);
  expect(await store.exists(halfKeys[0]!)).toBe(true);
});

test("part file names are unique even within one millisecond", () => {
  const now = new Date("2026-01-02T03:04:05.678Z");
  const names = new Set(Array.from({ length: 500 }, () => partFileName("wA", 7, 1, 2, "parquet", now)));
  expect(names.size).toBe(500);
  expect([...names][0]).toMatch(/^part-20260102T030405678\d{3}Z-wA-7-1-2\.parquet$/);
});
