/**
 * What the lake's listing sees at each state of the compaction protocol, including a second
 * compaction of an already compacted hour (its old output an input of the new record) and a
 * compacted hour at rest (no record read needed).
 */
import { expect, test } from "bun:test";
import { LakeFiles } from "../../src/read/lake-files";
import { outputKeyFor, recordKeyFor, type CompactionRecord } from "../../src/read/superseding";
import { localStore } from "../../src/storage";
import { tempDir } from "./helpers";

const DIR = "bronze/futures/trades/symbol=ES/date=2026-03-04/hour=14";

function record(run: string, inputs: string[], outputs: string[]): string {
  const r: CompactionRecord = {
    version: 1, kind: "lake.compaction", table: "futures.trades.v1", run, createdAt: "2026-03-04T15:30:00Z",
    outputs: outputs.map((key) => ({ key, rows: 1, bytes: 1 })), inputs: inputs.map((key) => ({ key, size: 1, rows: 1 })),
    rows: inputs.length, seqRanges: {}, inputsWithoutSeq: 0, leaves: inputs.map((key) => ({ key, size: 1, sha256: "x" })),
  };
  return JSON.stringify(r);
}

test("listing through every state of two compactions of one hour", async () => {
  using dir = tempDir();
  const store = localStore(dir.path);
  const live = async () => (await new LakeFiles(dir.path).listParquet(`${DIR}/`)).map((f) => f.key.slice(DIR.length + 1));
  const parts = ["part-a.parquet", "part-b.parquet", "part-c.parquet"].map((n) => `${DIR}/${n}`);
  for (const p of parts) await store.put(p, "x");
  expect(await live()).toEqual(["part-a.parquet", "part-b.parquet", "part-c.parquet"]);

  // run 1: output written, not committed → invisible
  const out1 = outputKeyFor(DIR, "20260304T153000-r1", 0);
  await store.put(out1, "x");
  expect(await live()).toEqual(["part-a.parquet", "part-b.parquet", "part-c.parquet"]);
  // committed → inputs hidden though still present
  await store.put(recordKeyFor(DIR, "20260304T153000-r1"), record("20260304T153000-r1", parts, [out1]));
  expect(await live()).toEqual(["compact-20260304T153000-r1-0.parquet"]);
  for (const p of parts) await store.delete(p);
  expect(await live()).toEqual(["compact-20260304T153000-r1-0.parquet"]);

  // late data, then run 2 over the old output and the late file
  const late = `${DIR}/part-late.parquet`;
  await store.put(late, "x");
  expect(await live()).toEqual(["compact-20260304T153000-r1-0.parquet", "part-late.parquet"]);
  const out2 = outputKeyFor(DIR, "20260304T160000-r2", 0);
  await store.put(out2, "x");
  expect(await live()).toEqual(["compact-20260304T153000-r1-0.parquet", "part-late.parquet"]);
  await store.put(recordKeyFor(DIR, "20260304T160000-r2"), record("20260304T160000-r2", [out1, late], [out2]));
  // two runs' outputs side by side: the old one is an input of the new record, hidden
  expect(await live()).toEqual(["compact-20260304T160000-r2-0.parquet"]);
  await store.delete(late);
  expect(await live()).toEqual(["compact-20260304T160000-r2-0.parquet"]);
  await store.delete(out1);
  expect(await live()).toEqual(["compact-20260304T160000-r2-0.parquet"]);
});

test("an output whose record is missing is never live, whatever else the hour holds", async () => {
  using dir = tempDir();
  const store = localStore(dir.path);
  await store.put(outputKeyFor(DIR, "20260304T153000-r9", 0), "x");
  expect(await new LakeFiles(dir.path).listParquet(`${DIR}/`)).toEqual([]);
});
