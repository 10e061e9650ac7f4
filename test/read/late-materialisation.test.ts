import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckSession } from "../../src/read/duck";

/** A result column as plain values, whatever its array kind. */
const cells = (f: { column(name: string): { values: unknown } }, name: string): unknown[] => Array.from(f.column(name).values as ArrayLike<unknown>);
import { gatherRows } from "../../src/read/row-gather";
import { eachTsOffsets, type TsBatch } from "../../src/read/ts-pages";
import { encodeParquet } from "../../src/parquet";
import { Frame } from "../../src/frame";
import type { TableSchema } from "../../src/schemas/types";

const dir = mkdtempSync(join(tmpdir(), "lake-late-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCHEMA: TableSchema = {
  name: "late.test",
  tier: "bronze",
  sortKey: [],
  columns: [
    { name: "ts_event_ns", type: "int64", nullable: false },
    { name: "px", type: "float64", nullable: false },
    { name: "sz", type: "int32", nullable: true },
    { name: "seq", type: "int64", nullable: true },
  ],
};

/** n rows with ts gaps from 1 ns up to ~2^40 ns (delta widths far beyond 32 bits), nulls in sz/seq. */
function sample(n: number, origin: bigint): Frame {
  const ts = new BigInt64Array(n);
  const px = new Float64Array(n);
  const sz = new Int32Array(n);
  const szValid = new Uint8Array(n);
  const seq = new BigInt64Array(n);
  const seqValid = new Uint8Array(n);
  let t = origin;
  let r = 12345;
  const rand = () => ((r = (r * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < n; i++) {
    const u = rand();
    t += u < 0.001 ? BigInt(Math.floor(rand() * 2 ** 40)) : BigInt(1 + Math.floor(rand() * 200_000));
    ts[i] = t;
    px[i] = 7000 + Math.floor(rand() * 400) * 0.25;
    sz[i] = Math.floor(rand() * 500);
    szValid[i] = rand() < 0.97 ? 1 : 0;
    seq[i] = 9_000_000_000_000n + BigInt(i * 3);
    seqValid[i] = i % 101 === 7 ? 0 : 1;
  }
  return new Frame(
    [
      { name: "ts_event_ns", type: "int64", values: ts },
      { name: "px", type: "float64", values: px },
      { name: "sz", type: "int32", values: sz, valid: szValid },
      { name: "seq", type: "int64", values: seq, valid: seqValid },
    ],
    n,
  );
}

const ORIGIN = 1_772_700_000_000_000_000n;
const N = 50_000;
const frame = sample(N, ORIGIN);
const lakeFile = join(dir, "lake.parquet");
// Small row groups and pages: many pages per chunk, several groups per file.
writeFileSync(lakeFile, encodeParquet(frame, { schema: SCHEMA, rowGroupSize: 12_000, pageBytes: 8 << 10, sort: false }));

async function duckFile(name: string, options: string): Promise<string> {
  const path = join(dir, name);
  using s = await DuckSession.open();
  await s.exec(`COPY (SELECT * FROM read_parquet('${lakeFile}')) TO '${path}' (FORMAT parquet, ${options})`);
  return path;
}

let duckFiles: string[] = [];
beforeAll(async () => {
  duckFiles = [
    await duckFile("duck-v2.parquet", "COMPRESSION zstd, PARQUET_VERSION v2, ROW_GROUP_SIZE 20000"),
    await duckFile("duck-snappy.parquet", "COMPRESSION snappy, ROW_GROUP_SIZE 7000"),
    await duckFile("duck-plain.parquet", "COMPRESSION uncompressed"),
  ];
});

function expectGathered(cols: Awaited<ReturnType<typeof gatherRows>>, rows: number[]): void {
  const [px, sz, seq] = cols;
  rows.forEach((r, j) => {
    expect((px!.values as Float64Array)[j]).toBe(frame.values<Float64Array>("px")[r]!);
    const szValid = frame.column("sz").valid![r]!;
    expect(sz!.valid![j]).toBe(szValid);
    if (szValid) expect((sz!.values as Int32Array)[j]).toBe(frame.values<Int32Array>("sz")[r]!);
    const seqValid = frame.column("seq").valid![r]!;
    expect(seq!.valid![j]).toBe(seqValid);
    if (seqValid) expect((seq!.values as BigInt64Array)[j]).toBe(frame.values<BigInt64Array>("seq")[r]!);
  });
}

const DEFS = [
  { name: "px", type: "float64", nullable: false },
  { name: "sz", type: "int32", nullable: true },
  { name: "seq", type: "int64", nullable: true },
] as const;

describe("gatherRows reads only the wanted rows' cells", () => {
  const rows = [0, 1, 2, 999, 11_999, 12_000, 12_001, 30_000, 30_001, 49_998, 49_999];
  for (let r = 3; r < N; r += 977) rows.push(r);
  const wanted = [...new Set(rows)].sort((a, b) => a - b);

  test("lake-written file (delta int64, plain doubles, nulls, several groups and pages)", async () => {
    expectGathered(await gatherRows(lakeFile, Float64Array.from(wanted), DEFS), wanted);
  });

  test("DuckDB-written files: dictionary pages, v2 pages, snappy and uncompressed", async () => {
    for (const path of duckFiles) expectGathered(await gatherRows(path, Float64Array.from(wanted), DEFS), wanted);
  });

  test("a column the file lacks comes back all-null; a row past the end is an error", async () => {
    const [missing] = await gatherRows(lakeFile, Float64Array.from([5, 6]), [{ name: "nope", type: "float64", nullable: true }]);
    expect([...missing!.valid!]).toEqual([0, 0]);
    await expect(gatherRows(lakeFile, Float64Array.from([N]), DEFS)).rejects.toThrow(/past the file/);
  });
});

describe("eachTsOffsets decodes ts_event_ns as exact offsets", () => {
  const expected = (from: number, to: number) => Array.from(frame.values<BigInt64Array>("ts_event_ns").subarray(from, to), (v) => Number(v - ORIGIN));

  test("every row group of a lake file, including deltas wider than 32 bits", async () => {
    const got: number[] = [];
    const starts: number[] = [];
    await eachTsOffsets(lakeFile, ORIGIN, 0n, 1n << 62n, (b) => {
      starts.push(b.row0);
      got.push(...b.x);
    });
    expect(starts).toEqual([0, 12_000, 24_000, 36_000, 48_000]);
    expect(got).toEqual(expected(0, N));
  });

  test("row groups outside the bounds are not read (statistics pruning)", async () => {
    const ts = frame.values<BigInt64Array>("ts_event_ns");
    const batches: TsBatch[] = [];
    await eachTsOffsets(lakeFile, ORIGIN, ts[25_000]!, ts[26_000]!, (b) => batches.push({ row0: b.row0, x: b.x.slice() }));
    expect(batches.map((b) => b.row0)).toEqual([24_000]);
    expect([...batches[0]!.x]).toEqual(expected(24_000, 36_000));
  });

  test("DuckDB-written files (plain / dictionary / v2 pages) give the same offsets", async () => {
    for (const path of duckFiles) {
      const got: number[] = [];
      await eachTsOffsets(path, ORIGIN, 0n, 1n << 62n, (b) => got.push(...b.x));
      expect(got).toEqual(expected(0, N));
    }
  });
});

describe("gatherRows on dictionary pages answers from the index runs", () => {
  // A book-like level: long runs (RLE runs in the index pages) between short bursts of
  // changes (bit-packed runs), and a wide int column (indices of 11 bits cross bytes).
  const BOOK: TableSchema = {
    name: "late.book",
    tier: "bronze",
    sortKey: [],
    columns: [
      { name: "px", type: "float64", nullable: false },
      { name: "sz", type: "int32", nullable: false },
    ],
  };
  const n = 40_000;
  const px = new Float64Array(n);
  const sz = new Int32Array(n);
  let r = 777;
  const rand = () => ((r = (r * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0, p = 5000, run = 0; i < n; i++, run--) {
    if (run <= 0) {
      p += Math.floor(rand() * 9 - 4) * 0.25;
      run = rand() < 0.3 ? 1 : Math.floor(rand() * 60);
    }
    px[i] = p;
    sz[i] = Math.floor(rand() * 2000) - 50;
  }
  const book = new Frame([{ name: "px", type: "float64", values: px }, { name: "sz", type: "int32", values: sz }], n);
  const path = join(dir, "book.parquet");
  writeFileSync(path, encodeParquet(book, { schema: BOOK, rowGroupSize: 15_000, pageBytes: 4 << 10, sort: false }));
  const defs = [
    { name: "px", type: "float64", nullable: false },
    { name: "sz", type: "int32", nullable: false },
  ] as const;

  test("the file holds RLE_DICTIONARY pages", async () => {
    using s = await DuckSession.open();
    const f = await s.query(`SELECT DISTINCT path_in_schema AS c, encodings AS e FROM parquet_metadata($p) ORDER BY c`, { p: path });
    const encodings = cells(f, "e").map(String);
    expect(encodings).toHaveLength(2);
    for (const e of encodings) expect(e).toContain("RLE_DICTIONARY");
  });

  test("every row, sparse rows, the edges of groups and pages", async () => {
    const sets = [Array.from({ length: n }, (_, i) => i), [0, 14_999, 15_000, 29_999, 30_000, n - 1]];
    const sparse: number[] = [];
    for (let i = 5; i < n; i += 71 + (i % 13)) sparse.push(i);
    sets.push(sparse);
    for (const rows of sets) {
      const [gpx, gsz] = await gatherRows(path, Float64Array.from(rows), defs);
      rows.forEach((row, j) => {
        if ((gpx!.values as Float64Array)[j] !== px[row] || (gsz!.values as Int32Array)[j] !== sz[row]) throw new Error(`row ${row}: ${(gpx!.values as Float64Array)[j]}/${(gsz!.values as Int32Array)[j]} ≠ ${px[row]}/${sz[row]}`);
      });
      expect(gpx!.valid!.every((v) => v === 1)).toBe(true);
    }
  });
});
