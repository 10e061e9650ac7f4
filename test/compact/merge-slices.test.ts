/**
 * A big hour is compacted in time slices, one in memory at a time, streamed into one output
 * file: it holds exactly the rows and the order of a merge of the whole hour at once; inputs
 * whose time ranges overlap stay in one slice. Each input is read once unless the hour is too
 * big to hold, when a slice reads its inputs again.
 */
import { describe, expect, test } from "bun:test";
import { cellValue, concatFrames, type Frame } from "../../src/frame";
import { decodeParquet, encodeParquet } from "../../src/parquet";
import { mergeHour, type MergeInput, type MergedHour } from "../../src/compact/merge";
import { FUTURES_MBP10 } from "../../src/schemas/bronze";
import { generateDay } from "../../src/sim/day";

const day = generateDay({ date: "2026-03-04", seed: 5, scale: "light", rates: { tradesPerSec: 0.05, mbpPerSec: 1, optionsPerSec: 0.02 }, signals: false });
const book = day.mbp10.slice(0, 6000);

/** Flush-like files: consecutive row ranges of the (ts-sorted) book. */
function flushes(frame: Frame, rowsPerFile: number): MergeInput[] {
  const out: MergeInput[] = [];
  for (let start = 0, k = 0; start < frame.numRows; start += rowsPerFile, k++) {
    const data = encodeParquet(frame.slice(start, Math.min(frame.numRows, start + rowsPerFile)), { schema: FUTURES_MBP10 });
    out.push({ key: `part-${String(k).padStart(3, "0")}.parquet`, size: data.byteLength, bytes: async () => data });
  }
  return out;
}

async function rowsOf(m: MergedHour): Promise<Frame> {
  const frames = await Promise.all(m.outputs.map((o) => decodeParquet(o.data, { schema: FUTURES_MBP10 })));
  return concatFrames(frames, FUTURES_MBP10.columns);
}

async function expectSameMerge(sliced: MergedHour, whole: MergedHour): Promise<void> {
  expect(sliced.rows).toBe(whole.rows);
  expect([...sliced.inputRows]).toEqual([...whole.inputRows]);
  expect([...sliced.inputSha256]).toEqual([...whole.inputSha256]);
  expect(sliced.seqRanges).toEqual(whole.seqRanges);
  const [a, b] = [await rowsOf(sliced), await rowsOf(whole)];
  expect(a.numRows).toBe(b.numRows);
  for (const c of b.columns) {
    const d = a.column(c.name);
    for (let i = 0; i < b.numRows; i++) {
      const [u, v] = [cellValue(d, i), cellValue(c, i)];
      if (u !== v && !(Number.isNaN(u) && Number.isNaN(v))) throw new Error(`${c.name} row ${i}: ${String(u)} ≠ ${String(v)}`);
    }
  }
}

describe("compaction in time slices", () => {
  test("flushes that follow each other in time: one output, the rows and order of one merge", async () => {
    const inputs = flushes(book, 500);
    const whole = await mergeHour(FUTURES_MBP10, inputs, 1 << 30, {}, undefined, { sliceRows: Infinity });
    const sliced = await mergeHour(FUTURES_MBP10, inputs, 1 << 30, {}, undefined, { sliceRows: 1200 });
    expect(whole.outputs).toHaveLength(1);
    expect(sliced.outputs).toHaveLength(1);
    await expectSameMerge(sliced, whole);
  });

  test("a file spanning the others' times (a late flush) keeps them in one slice", async () => {
    const late = book.take(Array.from({ length: 300 }, (_, i) => i * 20));
    const inputs = [...flushes(book, 500), ...flushes(late, 300).map((f) => ({ ...f, key: `z-${f.key}` }))];
    const whole = await mergeHour(FUTURES_MBP10, inputs, 1 << 30, {}, undefined, { sliceRows: Infinity });
    const sliced = await mergeHour(FUTURES_MBP10, inputs, 1 << 30, {}, undefined, { sliceRows: 1200 });
    expect(sliced.outputs).toHaveLength(1);
    await expectSameMerge(sliced, whole);
  });

  test("a small hour reads each input once; one too big to hold reads a slice's inputs again, same merge", async () => {
    const reads = new Map<string, number>();
    const inputs = flushes(book, 500).map((f) => ({ ...f, bytes: () => (reads.set(f.key, (reads.get(f.key) ?? 0) + 1), f.bytes()) }));
    const held = await mergeHour(FUTURES_MBP10, inputs, 1 << 30, {}, undefined, { sliceRows: 1200 });
    expect(new Set(reads.values())).toEqual(new Set([1]));
    reads.clear();
    const reread = await mergeHour(FUTURES_MBP10, inputs, 1 << 30, {}, undefined, { sliceRows: 1200, holdBytes: 0 });
    expect(new Set(reads.values())).toEqual(new Set([2]));
    await expectSameMerge(reread, held);
  });

  test("a rewrite (dedupe) sees the whole hour: one slice", async () => {
    const inputs = flushes(book, 500);
    let seen = 0;
    const merged = await mergeHour(FUTURES_MBP10, inputs, 1 << 30, {}, async (f) => ((seen = f.numRows), f), { sliceRows: 1200 });
    expect(seen).toBe(book.numRows);
    expect(merged.outputs).toHaveLength(1);
  });
});
