/**
 * A float64 column may come as codes into a table of distinct values (`Column.codes`), as the
 * simulator's price levels do. The writer then builds each chunk's dictionary from the codes
 * without reading the values, and columns sharing one ids array share their data pages: the
 * file must be byte for byte the one the values alone produce, whatever the row groups and
 * pages, and read back the same in DuckDB. Codes that could not be exact take the values path.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Frame, type Column, type ColumnCodes } from "../../src/frame";
import { decodeParquet, encodeParquet } from "../../src/parquet";
import { codedDictionary, numericDictionary } from "../../src/parquet/columns/numeric-dictionary";
import { DuckSession } from "../../src/read/duck";
import type { TableSchema } from "../../src/schemas/types";

const dir = mkdtempSync(join(tmpdir(), "lake-coded-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic walk of ids over `k` table entries: long runs, revisits, jumps. */
function walkIds(n: number, k: number, seed: number): Int32Array {
  const ids = new Int32Array(n);
  let s = seed;
  let id = 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    if (s % 50 === 0) id = (id + 1 + (s >>> 8) % 3) % k;
    else if (s % 97 === 0) id = (s >>> 10) % k;
    ids[i] = id;
  }
  return ids;
}

/** A coded column whose values throw when read: proves the writer never needed them. */
function codedOnly(name: string, codes: ColumnCodes): Column {
  return {
    name,
    type: "float64",
    codes,
    get values(): Float64Array {
      throw new Error(`values of ${name} were read`);
    },
  };
}

function valuesOf(codes: ColumnCodes): Float64Array {
  return Float64Array.from(codes.ids, (g) => codes.table[g]!);
}

const n = 9000;
const ids = walkIds(n, 40, 7);
const tables = [0, -3, 1, 5].map((shift) => Float64Array.from({ length: 40 }, (_, j) => (6000 + 7 * ((j * 13) % 40) + shift) * 0.25));
const schema: TableSchema = {
  name: "coded.test",
  tier: "bronze",
  sortKey: [],
  columns: [
    ...tables.map((_, c) => ({ name: `px_${c}`, type: "float64" as const, nullable: c === 3 })),
    { name: "sz", type: "int32", nullable: false },
  ],
};
const sizes = Int32Array.from({ length: n }, (_, i) => (i * 7919) % 300);

describe("coded float64 columns", () => {
  test("the dictionary from codes is the one from values, for any chunk", () => {
    const codes = { ids, table: tables[1]! };
    const values = valuesOf(codes);
    for (const [start, end] of [[0, n], [1, 2], [123, 4567], [n - 31, n]] as const) {
      const limit = 1 << 16;
      const coded = codedDictionary(codes, start, end, limit)!;
      const order = Array.from(coded.order);
      const codedIndices = Array.from(coded.indices);
      const plain = numericDictionary(values, start, end, undefined, limit)!;
      expect(order.map((g) => codes.table[g])).toEqual(Array.from(plain.entries));
      expect(codedIndices).toEqual(Array.from(plain.indices));
    }
    // more entries than the limit: no dictionary, as from the values
    expect(codedDictionary(codes, 0, n, 3)).toBeNull();
    expect(numericDictionary(values, 0, n, undefined, 3)).toBeNull();
  });

  test("a table that could not be exact gives no dictionary; a bad id is an error", () => {
    const ids3 = Int32Array.of(0, 1, 2, 1);
    for (const table of [Float64Array.of(1, 2, 1), Float64Array.of(1, NaN, 2), Float64Array.of(1, -0, 2)]) {
      expect(codedDictionary({ ids: ids3, table }, 0, 4, 100)).toBeNull();
    }
    expect(() => codedDictionary({ ids: Int32Array.of(0, 5), table: Float64Array.of(1, 2) }, 0, 2, 100)).toThrow(/id 5 at row 1/);
  });

  test("files are byte-identical to the values' ones, with several row groups and pages, and read back in DuckDB", async () => {
    const coded = new Frame([...tables.map((table, c) => codedOnly(`px_${c}`, { ids, table })), { name: "sz", type: "int32", values: sizes }], n);
    const plain = new Frame([...tables.map((table, c) => ({ name: `px_${c}`, type: "float64" as const, values: valuesOf({ ids, table }) })), { name: "sz", type: "int32", values: sizes }], n);
    for (const layout of [{}, { rowGroupSize: 2500, pageBytes: 512 }]) {
      const a = encodeParquet(coded, { schema, sort: false, ...layout });
      const b = encodeParquet(plain, { schema, sort: false, ...layout });
      expect(Bun.hash(a)).toBe(Bun.hash(b));
      expect(a).toEqual(b);
    }
    const path = join(dir, "coded.parquet");
    writeFileSync(path, encodeParquet(coded, { schema, sort: false, rowGroupSize: 2500, pageBytes: 512 }));
    using s = await DuckSession.open();
    const back = await s.query(`SELECT * FROM read_parquet($p)`, { p: path });
    for (let c = 0; c < tables.length; c++) expect(Array.from(back.column(`px_${c}`).values as Float64Array)).toEqual(Array.from(valuesOf({ ids, table: tables[c]! })));
    const ours = await decodeParquet(await Bun.file(path).bytes(), { schema });
    expect(Array.from(ours.values<Float64Array>("px_2"))).toEqual(Array.from(valuesOf({ ids, table: tables[2]! })));
  });

  test("codes the writer cannot use (a duplicate table entry, nulls) fall back to the values", () => {
    const dupTable = Float64Array.from(tables[1]!);
    dupTable[5] = dupTable[6]!;
    const valid = Uint8Array.from({ length: n }, (_, i) => (i % 13 === 0 ? 0 : 1));
    const plainColumn = (name: string, codes: ColumnCodes, v?: Uint8Array): Column => ({ name, type: "float64", values: valuesOf(codes), valid: v });
    const cases = [
      // px_1 shares its ids with px_0's exact table, written first: no page of px_0's may serve it
      { names: ["px_0", "px_1"], codes: [{ ids, table: tables[0]! }, { ids, table: dupTable }], valid: undefined },
      { names: ["px_3"], codes: [{ ids, table: tables[3]! }], valid },
    ];
    for (const c of cases) {
      const sub: TableSchema = { ...schema, columns: schema.columns.filter((d) => c.names.includes(d.name)) };
      const coded = c.names.map((name, i) => ({ ...plainColumn(name, c.codes[i]!, c.valid), codes: c.codes[i]! }));
      const plain = c.names.map((name, i) => plainColumn(name, c.codes[i]!, c.valid));
      expect(encodeParquet(new Frame(coded, n), { schema: sub, sort: false })).toEqual(encodeParquet(new Frame(plain, n), { schema: sub, sort: false }));
    }
  });

  test("the frame's row count comes from the codes, without making the values", () => {
    const f = new Frame([codedOnly("px_0", { ids, table: tables[0]! })]);
    expect(f.numRows).toBe(n);
  });
});
