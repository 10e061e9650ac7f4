/**
 * The Parquet column writers one module at a time (columns/delta, rle, strings, fixed,
 * lists), each round-tripped through hyparquet's own decoders for that encoding — not
 * through our file writer or reader — over seeded generated inputs: empty, one value,
 * extremes, block/group boundaries and the full int64 range. A failure prints its seed;
 * replay with LAKE_TEST_SEED=<seed>.
 */
import { describe, expect, test } from "bun:test";
import { deltaBinaryUnpack } from "hyparquet/src/delta.js";
import { readRleBitPackedHybrid } from "hyparquet/src/encoding.js";
import { readPlain } from "hyparquet/src/plain.js";
import { assembleLists } from "hyparquet/src/assemble.js";
import { PageBuffer } from "../../src/parquet/columns/buffer";
import { writeDeltaInt64 } from "../../src/parquet/columns/delta";
import { compactNonNull, fixedStats, plainBytes, type FixedValues } from "../../src/parquet/columns/fixed";
import { listLevels, listStats } from "../../src/parquet/columns/lists";
import { bitWidthOf, writeRleHybrid } from "../../src/parquet/columns/rle";
import { appendByteArray, buildDictionary, stringStats } from "../../src/parquet/columns/strings";
import type { ColumnType } from "../../src/schemas/types";
import { withSeed, type Seeded } from "../../testkit/seed";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function reader(bytes: Uint8Array) {
  return { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
}

/** A uniformly random int64 (all 64 bits). */
function anyInt64(rng: Seeded): bigint {
  return BigInt.asIntN(64, (BigInt(rng.uint32()) << 32n) | BigInt(rng.uint32()));
}

/** Int64 series of the kinds the lake writes, plus adversarial ones. */
function int64Cases(rng: Seeded): [string, BigInt64Array][] {
  const walk = (n: number, step: () => bigint, start = 1_768_400_000_000_000_000n) => {
    const out = new BigInt64Array(n);
    let v = start;
    for (let i = 0; i < n; i++) out[i] = v += i === 0 ? 0n : step();
    return out;
  };
  return [
    ["empty", new BigInt64Array(0)],
    ["one value", BigInt64Array.of(anyInt64(rng))],
    ["one extreme value", BigInt64Array.of(INT64_MIN)],
    ["constant", new BigInt64Array(300).fill(42n)],
    ["sorted ns timestamps", walk(rng.int(1, 2000), () => BigInt(rng.int(0, 5_000_000)))],
    ["block boundaries 127/128/129", walk(129, () => BigInt(rng.int(-3, 3)))],
    ["257 values (two blocks + 1)", walk(257, () => BigInt(rng.int(0, 2 ** 20)))],
    ["negative deltas of every width to 32", walk(33 * 40, () => -BigInt(rng.int(0, 2 ** 31)) * (rng.random() < 0.5 ? 1n : -1n))],
    ["low word wrapping", walk(500, () => 3n, 4_294_967_000n)],
    ["near both ends", BigInt64Array.of(INT64_MAX, INT64_MAX - 1n, INT64_MAX, INT64_MIN + 1n, INT64_MIN, INT64_MIN + 2n)],
    ["full int64 range", BigInt64Array.from({ length: 1000 }, () => anyInt64(rng))],
    ["zero-crossing small values", walk(700, () => BigInt(rng.int(-1000, 1000)), 0n)],
  ];
}

describe("columns/delta: DELTA_BINARY_PACKED int64 read back by hyparquet's deltaBinaryUnpack", () => {
  test("every series either round-trips exactly or is refused whole (PLAIN fallback) and then round-trips PLAIN", () =>
    withSeed("delta", (rng) => {
      let packed = 0;
      let refused = 0;
      for (const [name, values] of int64Cases(rng)) {
        for (const [start, end] of [[0, values.length], [Math.min(1, values.length), values.length]] as const) {
          const out = new PageBuffer(16);
          out.u8(0xee); // bytes already in the page must survive a refusal
          const ok = writeDeltaInt64(out, values, start, end);
          const expected = values.slice(start, end);
          if (!ok) {
            refused++;
            expect({ name, length: out.length }).toEqual({ name, length: 1 });
            const plain = readPlain(reader(plainBytes("int64", values, start, end)), "INT64", end - start, undefined);
            expect({ name, values: [...plain] }).toEqual({ name, values: [...expected] });
            continue;
          }
          packed++;
          const decoded = new BigInt64Array(end - start);
          const r = reader(out.subarray(1));
          deltaBinaryUnpack(r, end - start, decoded);
          expect({ name, values: [...decoded] }).toEqual({ name, values: [...expected] });
          expect({ name, consumed: r.offset }).toEqual({ name, consumed: out.length - 1 });
        }
      }
      // the lake's own shapes pack; the full int64 range cannot
      expect(packed).toBeGreaterThan(15);
      expect(refused).toBeGreaterThan(0);
    }));

  test("sorted timestamps always pack (no PLAIN fallback for the common case)", () =>
    withSeed("delta-sorted", (rng) => {
      for (let k = 0; k < 20; k++) {
        const n = rng.int(1, 5000);
        const v = new BigInt64Array(n);
        let t = 1_768_400_000_000_000_000n;
        for (let i = 0; i < n; i++) v[i] = t += BigInt(rng.int(0, 2 ** 30));
        const out = new PageBuffer();
        expect(writeDeltaInt64(out, v, 0, n)).toBe(true);
        const back = new BigInt64Array(n);
        deltaBinaryUnpack(reader(out.subarray()), n, back);
        expect(back).toEqual(v);
      }
    }));
});

describe("columns/rle: RLE / bit-packed hybrid read back by hyparquet's readRleBitPackedHybrid", () => {
  function roundTrip(values: Uint32Array, width: number): Uint32Array {
    const out = new PageBuffer(8);
    const len = writeRleHybrid(out, values, values.length, width);
    expect(len).toBe(out.length);
    const back = new Array<number>(values.length);
    const r = reader(out.subarray());
    readRleBitPackedHybrid(r, width, back, len);
    expect(r.offset).toBe(len);
    return Uint32Array.from(back);
  }

  test("empty, one value, runs, noise and every tail length at every width 1–24", () =>
    withSeed("rle", (rng) => {
      for (let width = 1; width <= 24; width++) {
        const max = 2 ** width - 1;
        const cases: Uint32Array[] = [
          new Uint32Array(0),
          Uint32Array.of(max),
          Uint32Array.of(0),
          new Uint32Array(64).fill(max),
          Uint32Array.from({ length: rng.int(1, 600) }, () => rng.int(0, max)),
          // runs of random lengths, some shorter than a group of 8
          Uint32Array.from((function* () {
            for (let k = 0; k < 40; k++) {
              const v = rng.int(0, max);
              for (let j = rng.int(1, 30); j > 0; j--) yield v;
            }
          })()),
        ];
        for (let tail = 1; tail < 8; tail++) cases.push(Uint32Array.from({ length: 16 + tail }, (_, i) => (i < 16 ? 1 : rng.int(0, max))));
        for (const c of cases) expect({ width, values: [...roundTrip(c, width)] }).toEqual({ width, values: [...c] });
      }
    }));

  test("bitWidthOf gives the narrowest width holding the maximum", () => {
    expect([0, 1, 2, 3, 255, 256, 2 ** 24 - 1].map(bitWidthOf)).toEqual([0, 1, 2, 2, 8, 9, 24]);
  });
});

describe("columns/strings: PLAIN byte arrays and dictionaries read back by hyparquet's readPlain", () => {
  function randomString(rng: Seeded): string {
    const pools = ["abcXYZ019 _-", "äöüßéñ", "€漢字", "😀🚀"];
    const pool = [...pools[rng.int(0, pools.length - 1)]!];
    return Array.from({ length: rng.int(0, 40) }, () => pool[rng.int(0, pool.length - 1)]).join("");
  }

  test("ASCII, multi-byte, astral and empty strings round-trip byte-exact", () =>
    withSeed("strings", (rng) => {
      const values = ["", "ES", "x".repeat(5000), "é", "€", "😀", ...Array.from({ length: 500 }, () => randomString(rng))];
      const out = new PageBuffer(4);
      for (const s of values) appendByteArray(out, s);
      const back = readPlain(reader(out.subarray()), "BYTE_ARRAY", values.length, undefined) as Uint8Array[];
      expect(back.map((b) => new TextDecoder().decode(b))).toEqual(values);
    }));

  test("a lone surrogate is written as U+FFFD, like TextEncoder", () => {
    const out = new PageBuffer(4);
    appendByteArray(out, "a\ud800b");
    const [b] = readPlain(reader(out.subarray()), "BYTE_ARRAY", 1, undefined) as Uint8Array[];
    expect([...b!]).toEqual([...new TextEncoder().encode("a\ud800b")]);
  });

  test("a dictionary page (entries PLAIN + RLE indices) rebuilds the column, nulls skipped", () =>
    withSeed("dictionary", (rng) => {
      const pool = Array.from({ length: rng.int(1, 50) }, () => randomString(rng));
      const n = rng.int(0, 3000);
      const values: (string | null)[] = Array.from({ length: n }, () => (rng.random() < 0.1 ? null : pool[rng.int(0, pool.length - 1)]!));
      const start = Math.min(n, rng.int(0, 10));
      const dict = buildDictionary(values, start, n, 1000)!;
      expect(dict).not.toBeNull();
      const entriesPage = new PageBuffer();
      for (const e of dict.entries) appendByteArray(entriesPage, e);
      const entries = (readPlain(reader(entriesPage.subarray()), "BYTE_ARRAY", dict.entries.length, undefined) as Uint8Array[]).map((b) => new TextDecoder().decode(b));
      const nonNull = values.slice(start).map((v, i) => (v === null ? -1 : dict.indices[i]!)).filter((i) => i >= 0);
      const width = Math.max(1, bitWidthOf(dict.entries.length - 1));
      const idxPage = new PageBuffer();
      const len = writeRleHybrid(idxPage, Uint32Array.from(nonNull), nonNull.length, width);
      const idx = new Array<number>(nonNull.length);
      readRleBitPackedHybrid(reader(idxPage.subarray()), width, idx, len);
      expect(idx.map((i) => entries[i])).toEqual(values.slice(start).filter((v): v is string => v !== null));
      expect(new Set(dict.entries).size).toBe(dict.entries.length);
    }));

  test("a dictionary that would exceed maxEntries is refused", () => {
    expect(buildDictionary(["a", "b", "c"], 0, 3, 2)).toBeNull();
    expect(buildDictionary(["a", "b", "a"], 0, 3, 2)!.entries).toEqual(["a", "b"]);
    expect(buildDictionary([], 0, 0, 2)).toEqual({ entries: [], indices: new Int32Array(0) });
  });

  test("statistics are the min/max in UTF-8 byte order, left out when too long", () =>
    withSeed("string-stats", (rng) => {
      const values = Array.from({ length: 200 }, () => randomString(rng));
      const s = stringStats([...values, null], 1);
      const bytes = values.map((v) => new TextEncoder().encode(v)).sort((a, b) => Buffer.compare(a, b));
      expect(s.nullCount).toBe(1);
      expect([...s.min!]).toEqual([...bytes[0]!]);
      expect([...s.max!]).toEqual([...bytes.at(-1)!]);
      expect(stringStats(["x".repeat(300)], 0)).toEqual({ nullCount: 0 });
      expect(stringStats([null, null], 2)).toEqual({ nullCount: 2 });
    }));
});

describe("columns/fixed: PLAIN fixed-width values and statistics read back by hyparquet's readPlain", () => {
  const PHYSICAL: Record<string, "INT64" | "DOUBLE" | "INT32" | "BOOLEAN"> = {
    int64: "INT64", timestamp_ns: "INT64", float64: "DOUBLE", int32: "INT32", date32: "INT32", int16: "INT32", int8: "INT32", bool: "BOOLEAN",
  };
  function generate(type: ColumnType, rng: Seeded, n: number): FixedValues {
    switch (type) {
      case "int64":
      case "timestamp_ns":
        return BigInt64Array.from({ length: n }, (_, i) => (i === 0 ? INT64_MIN : i === 1 ? INT64_MAX : anyInt64(rng)));
      case "float64": {
        const specials = [NaN, Infinity, -Infinity, -0, 0, Number.MIN_VALUE, -Number.MAX_VALUE, Number.MAX_VALUE, 5e-324, 0.1];
        return Float64Array.from({ length: n }, (_, i) => (i < specials.length ? specials[i]! : (rng.random() - 0.5) * 10 ** rng.int(-300, 300)));
      }
      case "int32":
      case "date32":
        return Int32Array.from({ length: n }, (_, i) => (i === 0 ? -(2 ** 31) : i === 1 ? 2 ** 31 - 1 : rng.uint32() | 0));
      case "int16":
        return Int16Array.from({ length: n }, (_, i) => (i === 0 ? -32768 : i === 1 ? 32767 : rng.int(-32768, 32767)));
      case "int8":
        return Int8Array.from({ length: n }, (_, i) => (i === 0 ? -128 : i === 1 ? 127 : rng.int(-128, 127)));
      default:
        return Uint8Array.from({ length: n }, () => rng.int(0, 1));
    }
  }
  const cell = (type: ColumnType, v: unknown) => (type === "bool" ? (v ? 1 : 0) : typeof v === "number" && Object.is(v, -0) ? "-0" : v);

  for (const type of Object.keys(PHYSICAL) as ColumnType[]) {
    test(`${type}: empty, one value, extremes and random slices round-trip; min/max match`, () =>
      withSeed(`fixed-${type}`, (rng) => {
        for (const n of [0, 1, 2, 9, rng.int(10, 2000)]) {
          const values = generate(type, rng, n);
          const start = n > 2 ? rng.int(0, 2) : 0;
          const back = readPlain(reader(plainBytes(type, values, start, n)), PHYSICAL[type]!, n - start, undefined);
          expect([...back].map((v) => cell(type, v))).toEqual([...values.subarray(start, n)].map((v) => cell(type, v)));

          const valid = Uint8Array.from({ length: n }, () => (rng.random() < 0.2 ? 0 : 1));
          const kept = [...compactNonNull(values, start, n, valid)];
          expect(kept.map((v) => cell(type, v))).toEqual([...values.subarray(start, n)].filter((_, i) => valid[start + i]).map((v) => cell(type, v)));
          const stats = fixedStats(type, values, start, n, valid);
          expect(stats.nullCount).toBe(n - start - kept.length);
          const hasNaN = kept.some((v) => typeof v === "number" && Number.isNaN(v));
          if (kept.length === 0 || hasNaN) {
            expect(stats.min).toBeUndefined();
            continue;
          }
          const physical = type === "bool" ? "INT32" : PHYSICAL[type]!;
          const statBytes = (b: Uint8Array) => (type === "bool" ? b[0] : readPlain(reader(b), physical, 1, undefined)[0]);
          const sorted = kept.map((v) => (typeof v === "bigint" ? v : Number(v))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          expect(statBytes(stats.min!)).toEqual(sorted[0] === 0 && type === "float64" ? -0 : sorted[0]);
          expect(statBytes(stats.max!)).toEqual(sorted.at(-1) === 0 && type === "float64" ? 0 : sorted.at(-1));
        }
      }));
  }
});

describe("columns/lists: list<int16> levels assembled back by hyparquet's assembleLists", () => {
  const node = (name: string, repetition_type?: "REQUIRED" | "OPTIONAL" | "REPEATED") => ({ element: { name, repetition_type }, children: [], count: 0, path: [] });
  const schemaPath = (nullable: boolean) => [node("schema"), node("conditions", nullable ? "OPTIONAL" : "REQUIRED"), node("list", "REPEATED"), node("element", "OPTIONAL")];

  function lists(rng: Seeded, n: number, nullable: boolean): (Int16Array | null)[] {
    return Array.from({ length: n }, () => {
      const p = rng.random();
      if (p < 0.2 && nullable) return null;
      if (p < 0.35) return new Int16Array(0);
      return Int16Array.from({ length: rng.int(1, 6) }, (_, k) => (k === 0 ? [-32768, 32767, 0][rng.int(0, 2)]! : rng.int(-32768, 32767)));
    });
  }

  for (const nullable of [true, false]) {
    test(`${nullable ? "nullable" : "required"} lists: null, empty, one element and extremes round-trip through RLE levels`, () =>
      withSeed(`lists-${nullable}`, (rng) => {
        for (const n of [0, 1, rng.int(2, 400)]) {
          const values = lists(rng, n, nullable);
          const maxDef = nullable ? 3 : 2;
          const lv = listLevels(values, 0, n, maxDef);
          // the levels as a page would carry them: RLE hybrid at the narrowest width
          const decodeLevels = (levels: Uint8Array, max: number) => {
            const out = new PageBuffer();
            const len = writeRleHybrid(out, levels, lv.count, bitWidthOf(max));
            const back = new Array<number>(lv.count);
            readRleBitPackedHybrid(reader(out.subarray()), bitWidthOf(max), back, len);
            return back;
          };
          const rep = decodeLevels(lv.rep, 1);
          const def = decodeLevels(lv.def, maxDef);
          const elements = readPlain(reader(plainBytes("int32", lv.elements, 0, lv.elements.length)), "INT32", lv.elements.length, undefined);
          const rows = assembleLists([], def, rep, elements as never, schemaPath(nullable) as never) as unknown[][];
          // Dremel assembly wraps an OPTIONAL group's value in one more array: [] absent, [list] present
          const assembled = nullable ? rows.map((r) => (r.length === 0 ? null : r[0])) : rows;
          expect(assembled).toEqual(values.map((v) => (v === null ? null : [...v])));
          const flat = values.flatMap((v) => (v ? [...v] : []));
          const stats = listStats(lv);
          expect(stats.nullCount).toBe(lv.count - flat.length);
          if (flat.length) {
            expect(new DataView(stats.min!.buffer).getInt32(0, true)).toBe(Math.min(...flat));
            expect(new DataView(stats.max!.buffer).getInt32(0, true)).toBe(Math.max(...flat));
          } else expect(stats.min).toBeUndefined();
        }
      }));
  }
});
