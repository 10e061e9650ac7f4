/**
 * Wrong min/max statistics make DuckDB skip row groups that hold matches, silently. For
 * edge-value batches split into many row groups, every equality/range predicate DuckDB
 * answers with pushdown must count exactly what a scan of the input counts.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeParquet } from "../../src/parquet";
import { loadDuckDB } from "../../src/runtime/duckdb-native";
import { OPTION_TRADES } from "../../src/schemas/bronze";
import { edgeFrame } from "./helpers/edge-frames";
import { frameCells } from "./helpers/readers";

const dir = mkdtempSync(join(tmpdir(), "lake-parquet-stats-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("DuckDB predicate pushdown over our statistics counts exactly the matching rows", async () => {
  // rows ordered by `source` in UTF-16 order (not byte order) and written unsorted, so each
  // small row group spans a narrow string range and wrong string bounds would prune matches
  const random = edgeFrame(OPTION_TRADES, 600, 11);
  const src = random.values<string[]>("source");
  const frame = random.take([...src.keys()].sort((a, b) => (src[a]! < src[b]! ? -1 : src[a]! > src[b]! ? 1 : a - b)));
  const path = join(dir, "edge.parquet");
  await Bun.write(path, encodeParquet(frame, { schema: OPTION_TRADES, rowGroupSize: 23, sort: false }));
  const cells = frameCells(frame);
  const duck = await loadDuckDB();
  const inst = await duck.DuckDBInstance.create(":memory:");
  const con = await inst.connect();
  try {
    const count = async (where: string, params: Record<string, string | number | bigint>) => {
      const prepared = await con.prepare(`SELECT count(*) AS n FROM read_parquet('${path}') WHERE ${where}`);
      for (const [k, v] of Object.entries(params)) {
        if (typeof v === "string") prepared.bindVarchar(prepared.parameterIndex(k), v);
        else if (typeof v === "bigint") prepared.bindBigInt(prepared.parameterIndex(k), v);
        else prepared.bindDouble(prepared.parameterIndex(k), v);
      }
      return Number((await prepared.runAndReadAll()).getRows()[0]![0]);
    };
    for (const name of ["source", "right", "underlying"]) {
      for (const v of new Set(cells[name] as string[])) {
        expect({ name, v, n: await count(`"${name}" = $v`, { v }) }).toEqual({ name, v, n: (cells[name] as string[]).filter((x) => x === v).length });
        // range predicates compare UTF-8 bytes: astral characters sort above U+FFFF
        const ge = (cells[name] as string[]).filter((x) => Buffer.compare(Buffer.from(x), Buffer.from(v)) >= 0).length;
        expect({ name, v, n: await count(`"${name}" >= $v`, { v }) }).toEqual({ name, v, n: ge });
      }
    }
    for (const v of new Set(cells.seq as (bigint | null)[])) {
      if (v === null) continue;
      expect(await count("seq = $v", { v })).toBe((cells.seq as (bigint | null)[]).filter((x) => x === v).length);
    }
    for (const v of [-Infinity, -2.25, 0, 1.5, 6845.25, 1e300, Infinity]) {
      const strike = cells.strike as number[];
      // DuckDB orders NaN above +Infinity
      expect(await count("strike >= $v", { v })).toBe(strike.filter((x) => x >= v || Number.isNaN(x)).length);
      expect(await count("strike = $v", { v })).toBe(strike.filter((x) => x === v).length);
    }
    for (const v of [-128, -1, 0, 127]) {
      expect(await count("aggressor = $v", { v })).toBe((cells.aggressor as number[]).filter((x) => x === v).length);
    }
  } finally {
    con.closeSync();
    inst.closeSync();
  }
});
