/**
 * concatLakeFiles (many files decoded straight into one set of columns) gives what decoding
 * each file on its own and concatenating the frames gives: the same values, types and null
 * masks, in file order — including a file the fast path gives up on halfway through its
 * columns (a non-null list), whose partly written rows must be overwritten, and a frame
 * decoded elsewhere (a predecessor file's) handed in as it is; and, given a column set, exactly
 * those columns of that result.
 */
import { expect, test } from "bun:test";
import { isDeepStrictEqual } from "node:util";
import { concatFrames, Frame } from "../../src/frame";
import { concatLakeFiles, decodeParquetWithInfo, encodeParquet, openLakeFile, type OpenLakeFile } from "../../src/parquet";
import { FUTURES_TRADES } from "../../src/schemas/bronze";
import { edgeFrame } from "./helpers/edge-frames";

const schema = FUTURES_TRADES;

/** `frame` with every list_int16 column all null, which the fast path takes. */
function withoutLists(frame: Frame): Frame {
  return new Frame(
    frame.columns.map((c) => (c.type === "list_int16" ? { ...c, values: new Array(frame.numRows).fill(null), valid: undefined } : c)),
    frame.numRows,
  );
}

async function partsAndWant() {
  const encode = (f: Frame, rowGroupSize?: number) => encodeParquet(f, { schema, rowGroupSize, sort: false });
  const files = [
    encode(withoutLists(edgeFrame(schema, 40, 1, 0.3))),
    encode(withoutLists(edgeFrame(schema, 25, 2, 0)), 10), // several row groups
    encode(edgeFrame(schema, 30, 3, 0.2)), // non-null lists: the fast path declines mid-file
    encode(withoutLists(edgeFrame(schema, 1, 4, 1))), // every nullable column null
  ];
  const given = withoutLists(edgeFrame(schema, 12, 5, 0.5));
  const parts: (OpenLakeFile | Frame)[] = files.map((b) => openLakeFile(b, schema)!);
  expect(parts.every((p) => p !== null)).toBe(true);
  parts.splice(2, 0, given);
  const frames = [];
  for (const b of files) frames.push((await decodeParquetWithInfo(b, { schema })).frame);
  frames.splice(2, 0, given);
  return { parts, want: concatFrames(frames, schema.columns) };
}

test("concatLakeFiles equals decoding each file and concatenating, across fast, declined and given parts", async () => {
  const { parts, want } = await partsAndWant();
  expectSame(await concatLakeFiles(schema, parts), want);
});

test("with a column set, concatLakeFiles gives exactly those columns of the full result, in schema order", async () => {
  const { parts, want } = await partsAndWant();
  const columns = new Set(["price", "ts_event_ns", "seq", "symbol"]);
  const got = await concatLakeFiles(schema, parts, columns);
  expect(got.columnNames).toEqual(schema.columns.map((d) => d.name).filter((n) => columns.has(n)));
  expectSame(got, new Frame(want.columns.filter((c) => columns.has(c.name)), want.numRows));
});

function expectSame(got: Frame, want: Frame): void {
  expect(got.numRows).toBe(want.numRows);
  expect(got.columnNames).toEqual(want.columnNames);
  for (const c of want.columns) {
    const g = got.column(c.name);
    expect({ name: c.name, type: g.type }).toEqual({ name: c.name, type: c.type });
    const same = ArrayBuffer.isView(c.values) ? Buffer.from(bytes(g.values as ArrayBufferView)).equals(bytes(c.values)) : isDeepStrictEqual(g.values, c.values);
    expect({ name: c.name, same }).toEqual({ name: c.name, same: true });
    expect({ name: c.name, valid: g.valid && [...g.valid] }).toEqual({ name: c.name, valid: c.valid && [...c.valid] });
  }
}

function bytes(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}
