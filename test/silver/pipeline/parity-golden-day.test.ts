/**
 * Parity with the predecessor on the golden day (fixture es-day-a): same event set, and
 * every one of the 182 columns computed by its stage and equal to the reference output
 * (joined on event_id). No column is exempt.
 */
import { describe, expect, test } from "bun:test";
import { isNullAt } from "../../../src/frame";
import { SILVER_COLUMN_SPECS, SILVER_FEATURES } from "../../../src/schemas/silver";
import { ES_PIPELINE } from "../../../src/silver/pipeline/registry";
import { runPipeline } from "../../../src/silver/pipeline/run";
import { compareColumn, readExpected } from "./parity";
import { FIXTURE_DAY_A } from "../../../testkit/fixtures";

const FIXTURE = FIXTURE_DAY_A;

const result = await runPipeline({ date: "2026-01-14", dataRoot: `${FIXTURE}/bronze`, variant: "reference" });
const expected = await readExpected(`${FIXTURE}/expected/silver_features.parquet`);
const summary = (await Bun.file(`${FIXTURE}/expected/summary.json`).json()) as { rows: number; events_before_rth_filter: number };
const frame = result.frame;
const rowOf = new Map(expected.ids.map((id, j) => [id, j]));

function hasValue(values: ArrayLike<unknown>): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] !== null && values[i] !== undefined) return true;
  return false;
}

describe("es_pipeline reference variant on the golden day 2026-01-14", () => {
  test("emits the 182 Silver columns in schema order with schema types", () => {
    expect(frame.columns.map((c) => `${c.name}:${c.type}`)).toEqual(SILVER_FEATURES.columns.map((c) => `${c.name}:${c.type}`));
  });

  test("finds the same whole-day event count and RTH rows as the reference", () => {
    expect(result.eventsBeforeRth).toBe(summary.events_before_rth_filter);
    expect(frame.numRows).toBe(summary.rows);
  });

  test("produces exactly the reference event_id set", () => {
    const ours = [...frame.values<string[]>("event_id")].sort();
    expect(ours).toEqual([...expected.ids].sort());
  });

  test("keeps rows in ts order", () => {
    const ts = frame.values<BigInt64Array>("ts_ns");
    for (let i = 1; i < ts.length; i++) expect(ts[i]! >= ts[i - 1]!).toBe(true);
  });

  test("runs all 16 stages, and every column's owning stage is one of them", () => {
    expect(result.timings.map((t) => t.name)).toEqual(ES_PIPELINE.map((e) => e.name));
    const stages = new Set(ES_PIPELINE.map((e) => e.name));
    expect(SILVER_COLUMN_SPECS.filter((c) => !stages.has(c.stage)).map((c) => c.name)).toEqual([]);
  });

  test("computes every one of the 182 columns: none is null-filled where the reference has values", () => {
    expect(SILVER_FEATURES.columns.length).toBe(182);
    const nullFilled = SILVER_FEATURES.columns
      .filter((def) => hasValue(expected.cols[def.name]!))
      .filter((def) => {
        const c = frame.column(def.name);
        for (let i = 0; i < frame.numRows; i++) if (!isNullAt(c, i)) return false;
        return true;
      })
      .map((def) => def.name);
    expect(nullFilled).toEqual([]);
  });
});

describe("column parity (joined on event_id)", () => {
  for (const def of SILVER_FEATURES.columns) {
    test(`${def.name} matches the reference`, () => {
      const mm = compareColumn(frame, expected, def.name, rowOf);
      expect(mm.count === 0 ? "ok" : `${mm.count} mismatches, e.g. ${JSON.stringify(mm.examples, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`).toBe("ok");
    });
  }
});
