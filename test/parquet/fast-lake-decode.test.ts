/**
 * The fast decoder for the lake's own files (src/parquet/fast) gives exactly what the
 * general decoder (hyparquet, normalised to the schema) gives — values, types, null masks,
 * key/value metadata — for every Bronze schema over edge values, nulls, several row groups
 * and pages, dictionary and plain strings; and it declines (null) what it does not know:
 * predecessor (pyarrow) files and non-null lists, which then take the general path.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { Frame, type Column } from "../../src/frame";
import { decodeLakeFile, decodeParquetWithInfo, encodeParquet } from "../../src/parquet";
import { BRONZE_TABLES, FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES } from "../../src/schemas/bronze";
import type { TableSchema } from "../../src/schemas/types";
import { FIXTURE_DAY_A } from "../../testkit/fixtures";
import { edgeFrame } from "./helpers/edge-frames";

async function expectSame(bytes: Uint8Array, schema: TableSchema): Promise<void> {
  const fast = decodeLakeFile(bytes, schema);
  expect(fast).not.toBeNull();
  const ref = await decodeParquetWithInfo(bytes, { schema });
  expect(fast!.info.numRows).toBe(ref.info.numRows);
  expect(fast!.info.kv).toEqual(ref.info.kv);
  expect(fast!.frame.columnNames).toEqual(ref.frame.columnNames);
  for (const c of ref.frame.columns) {
    const got: Column = fast!.frame.column(c.name);
    expect({ name: c.name, type: got.type }).toEqual({ name: c.name, type: c.type });
    // byte-exact for typed arrays (NaN payloads, -0), deep equality for boxed values
    const same = ArrayBuffer.isView(c.values) ? ArrayBuffer.isView(got.values) && Buffer.from(bytesOf(got.values)).equals(bytesOf(c.values)) : isDeepStrictEqual(got.values, c.values);
    expect({ name: c.name, same }).toEqual({ name: c.name, same: true });
    expect({ name: c.name, valid: got.valid }).toEqual({ name: c.name, valid: c.valid });
  }
}

function bytesOf(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** `frame` with every list_int16 column all null: the fast path's list support. */
function withoutLists(frame: Frame, schema: TableSchema): Frame {
  return new Frame(
    frame.columns.map((c) => (schema.columns.find((d) => d.name === c.name)?.type === "list_int16" ? { name: c.name, type: c.type, values: new Array(frame.numRows).fill(null) } : c)),
    frame.numRows,
  );
}

const CASES = [
  { label: "1 row", rows: 1, nullRate: undefined },
  { label: "700 edge-value rows, several row groups and pages", rows: 700, rowGroupSize: 256, pageBytes: 512 },
  { label: "700 edge-value rows, one row group", rows: 700 },
  { label: "50 rows, every nullable column null", rows: 50, nullRate: 1 },
  { label: "0 rows", rows: 0 },
];

describe("decodeLakeFile equals the general decoder on lake-written files", () => {
  for (const schema of [FUTURES_TRADES, FUTURES_MBP10, OPTION_TRADES]) {
    for (const c of CASES) {
      test(`${schema.name}: ${c.label}`, async () => {
        const frame = withoutLists(edgeFrame(schema, c.rows, 1, c.nullRate), schema);
        const bytes = encodeParquet(frame, { schema, rowGroupSize: c.rowGroupSize, pageBytes: c.pageBytes, metadata: { "lake.consumer": "x" } });
        await expectSame(bytes, schema);
      });
    }
  }
});

describe("decodeLakeFile declines what it does not know", () => {
  test("a non-null list column", () => {
    const schema = FUTURES_TRADES;
    const list = schema.columns.find((d) => d.type === "list_int16");
    expect(list).toBeDefined();
    const frame = edgeFrame(schema, 20, 1, 0);
    expect(decodeLakeFile(encodeParquet(frame, { schema }), schema)).toBeNull();
  });

  test("predecessor (pyarrow) files", async () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (n.endsWith(".parquet")) files.push(p);
      }
    };
    walk(join(FIXTURE_DAY_A, "bronze"));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const t = BRONZE_TABLES.find((x) => f.includes(`/${x.schemaPath}/`));
      if (!t) continue;
      expect(decodeLakeFile(await Bun.file(f).bytes(), t.schema)).toBeNull();
    }
  });

  test("bytes that are not Parquet", () => {
    expect(decodeLakeFile(new Uint8Array([1, 2, 3]), FUTURES_TRADES)).toBeNull();
    expect(decodeLakeFile(new TextEncoder().encode("PAR1 not really a parquet file PAR1"), FUTURES_TRADES)).toBeNull();
  });
});
