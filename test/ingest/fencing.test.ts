/**
 * Fencing epochs in the commit records: an owner whose epoch is older than the records'
 * never deletes or overwrites them, and recovery deletes only after proving ownership.
 */
import { expect, test } from "bun:test";
import { emptyCommit, FencedError, partFileName, recordedEpoch, recover, writeCommit, writeIntent } from "../../src/ingest/common/commit";
import { localStore } from "../../src/storage/index";
import { tempDir } from "./helpers/harness";

const consumer = "bronze_writer_market_futures_trades";
const FILE = `bronze/futures/trades/symbol=ES/date=2025-12-16/hour=14/${partFileName("wB", 2, 11, 20, "parquet")}`;

test("files of a newer epoch are never deleted by an older owner", async () => {
  using tmp = tempDir("lake-fencing-");
  const store = localStore(tmp.path);
  await writeCommit(store, { ...emptyCommit(consumer, "futures.trades"), flushId: 1, watermark: 10, epoch: 3 });
  // The epoch-4 owner is mid-flush: its intent and one file are written.
  await writeIntent(store, { version: 1, consumer, flushId: 2, writer: "wB", fromSeq: 11, toSeq: 20, keys: [FILE], createdAt: "", epoch: 4 });
  await store.put(FILE, "in flight");
  expect(await recordedEpoch(store, consumer)).toBe(4);

  let fenced = 0;
  const stale = recover(store, consumer, "futures.trades", { epoch: 3, fence: async () => void fenced++ });
  await expect(stale).rejects.toBeInstanceOf(FencedError);
  expect(await store.exists(FILE)).toBe(true);
  expect(fenced).toBe(0);

  // The next owner (epoch 5) proves its lease, then undoes the unfinished flush.
  const r = await recover(store, consumer, "futures.trades", { epoch: 5, fence: async () => void fenced++ });
  expect(fenced).toBe(1);
  expect(r.removed).toEqual([FILE]);
  expect(await store.exists(FILE)).toBe(false);
});

test("recovery deletes nothing when ownership cannot be proven", async () => {
  using tmp = tempDir("lake-fencing-");
  const store = localStore(tmp.path);
  await writeCommit(store, { ...emptyCommit(consumer, "futures.trades"), flushId: 1, watermark: 10, epoch: 1 });
  await writeIntent(store, { version: 1, consumer, flushId: 2, writer: "wB", fromSeq: 11, toSeq: 20, keys: [FILE], createdAt: "", epoch: 1 });
  await store.put(FILE, "in flight");
  const lost = recover(store, consumer, "futures.trades", { epoch: 2, fence: async () => { throw new FencedError("lease lost"); } });
  await expect(lost).rejects.toBeInstanceOf(FencedError);
  expect(await store.exists(FILE)).toBe(true);
});
