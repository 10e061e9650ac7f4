/**
 * Parity with the predecessor on the golden day (shared/fixtures/es-day-a): same event
 * set, and every column the pipeline produces equal to the reference output (joined on
 * event_id). Columns of stages that have not landed are reported as typed nulls and are
 * checked only for being null; part-1 stages must produce all of theirs.
 */
import { describe, expect, test } from "bun:test";
import { SILVER_COLUMN_SPECS, SILVER_FEATURES } from "../../../src/schemas/silver";
import { runPipeline } from "../../../src/silver/pipeline/run";
import { compareColumn, readExpected } from "./parity";
import { FIXTURE_DAY_A } from "../../helpers/shared";

const FIXTURE = FIXTURE_DAY_A;
const PART1_STAGES = new Set(["DetectInteractionZones", "ComputeApproachFeatures", "LabelOutcomes"]);

const result = await runPipeline({ date: "2026-01-14", dataRoot: `${FIXTURE}/bronze`, variant: "reference" });
const expected = await readExpected(`${FIXTURE}/expected/silver_features.parquet`);
const summary = (await Bun.file(`${FIXTURE}/expected/summary.json`).json()) as { rows: number; events_before_rth_filter: number };
const frame = result.frame;
const rowOf = new Map(expected.ids.map((id, j) => [id, j]));
const nullCols = new Set(result.nullStageColumns.flatMap((s) => s.columns));

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

  test("part-1 stages produce every column they own (none are placeholder nulls)", () => {
    const own = SILVER_COLUMN_SPECS.filter((c) => PART1_STAGES.has(c.stage) && !["wall_ratio_nonzero", "wall_ratio_log", "barrier_delta_liq_nonzero", "barrier_delta_liq_log", "barrier_replenishment_trend", "barrier_delta_liq_trend", "tape_velocity_trend", "tape_imbalance_trend", "dist_to_pm_high_atr", "dist_to_pm_low_atr", "dist_to_sma_200_atr", "dist_to_sma_400_atr", "dist_to_pm_high_pct", "dist_to_pm_low_pct", "dist_to_sma_200_pct", "dist_to_sma_400_pct"].includes(c.name));
    expect(own.filter((c) => nullCols.has(c.name)).map((c) => c.name)).toEqual([]);
  });
});

describe("column parity (joined on event_id)", () => {
  for (const def of SILVER_FEATURES.columns) {
    if (nullCols.has(def.name)) {
      test(`${def.name}: stage not landed — emitted as typed nulls`, () => {
        const c = frame.column(def.name);
        expect(c.type).toBe(def.type);
        expect(c.valid?.every((v) => v === 0) ?? frame.numRows === 0).toBe(true);
      });
      continue;
    }
    test(`${def.name} matches the reference`, () => {
      const mm = compareColumn(frame, expected, def.name, rowOf);
      expect(mm.count === 0 ? "ok" : `${mm.count} mismatches, e.g. ${JSON.stringify(mm.examples, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`).toBe("ok");
    });
  }
});
