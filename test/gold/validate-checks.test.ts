import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { Frame, concatFrames } from "../../src/frame";
import { validateDataset, type ValidationReport } from "../../src/gold/validate";
import { trainingSchemaFor } from "../../src/gold/schema";
import { SILVER_FEATURES } from "../../src/schemas/silver";
import { esPipelineManifest } from "../../src/silver/baselines";
import { fixturePipeline } from "../silver/builder/fixture-lake";
import { SilverFeatureBuilder } from "../../src/silver/builder";
import { FIXTURE_DATE, lakeWithSilver, replaceDataset } from "./gold-lake";

const failing = (r: ValidationReport) => r.checks.filter((c) => !c.pass).map((c) => c.name);
const byName = (r: ValidationReport, n: string) => r.checks.find((c) => c.name === n)!;

async function promoted() {
  const ctx = await lakeWithSilver();
  const r = await ctx.curator.promoteToTraining("es_pipeline");
  if (r.status !== "success") throw new Error("promotion failed");
  const df = await ctx.curator.loadTrainingData();
  return { ...ctx, df };
}

function withColumn(df: Frame, name: string, make: (c: Frame["columns"][number]) => Frame["columns"][number]): Frame {
  return new Frame(df.columns.map((c) => (c.name === name ? make(c) : c)), df.numRows);
}

describe("validateDataset: every check passes on a good dataset and fails on its broken one", () => {
  test("a freshly promoted fixture dataset passes all checks, with the §5.5 report fields", async () => {
    const { lake, curator } = await promoted();
    using _ = lake;
    const r = await validateDataset(curator, "signals_production");
    expect(failing(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.name)).toEqual(["file_hash", "schema", "row_count", "unique_event_id", "sorted", "within_dates", "null_rates", "label_distribution", "value_ranges", "silver_lineage"]);
    expect(r.row_count).toBe(107);
    expect(r.column_count).toBe(182);
    expect(r.label_distribution).toEqual({ CHOP: 42, UNDEFINED: 33, BOUNCE: 18, BREAK: 14 });
    expect(r.date_coverage).toEqual({ start_date: FIXTURE_DATE, end_date: FIXTURE_DATE, unique_dates: 1, signals_per_date: { [FIXTURE_DATE]: 107 } });
    expect(r.metadata_match).toEqual({ signal_count_match: true, expected_count: 107, actual_count: 107 });
    expect(r.null_summary.high_null_columns).toContain("time_to_break_2");
    await expect(validateDataset(curator, "nope")).rejects.toThrow("Gold training dataset 'nope' not found");
  });

  test("wrong hash", async () => {
    const { lake, curator } = await promoted();
    using _ = lake;
    const p = curator.metadataPath("signals_production");
    const meta = JSON.parse(readFileSync(p, "utf8"));
    meta.lineage.sha256 = "0".repeat(64);
    writeFileSync(p, JSON.stringify(meta));
    const r = await validateDataset(curator, "signals_production");
    expect(failing(r)).toEqual(["file_hash"]);
    expect(byName(r, "file_hash").numbers.expected).toBe("0".repeat(64));
  });

  test("row count differs from metadata", async () => {
    const { lake, curator, df } = await promoted();
    using _ = lake;
    replaceDataset(curator, "signals_production", df.slice(0, 100));
    const meta = JSON.parse(readFileSync(curator.metadataPath("signals_production"), "utf8"));
    meta.signal_count = 107;
    writeFileSync(curator.metadataPath("signals_production"), JSON.stringify(meta));
    const r = await validateDataset(curator, "signals_production");
    expect(failing(r)).toEqual(["row_count"]);
    expect(byName(r, "row_count").numbers).toEqual({ actual: 100, expected: 107 });
  });

  test("duplicate event ids", async () => {
    const { lake, curator, df } = await promoted();
    using _ = lake;
    replaceDataset(curator, "signals_production", concatFrames([df, df.slice(0, 3)]));
    const r = await validateDataset(curator, "signals_production");
    expect(failing(r)).toEqual(["unique_event_id"]);
    expect(byName(r, "unique_event_id").numbers.duplicates).toBe(3);
  });

  test("unsorted rows", async () => {
    const { lake, curator, df } = await promoted();
    using _ = lake;
    const rev = df.take(Array.from({ length: df.numRows }, (_, i) => df.numRows - 1 - i));
    replaceDataset(curator, "signals_production", rev, { sort: false });
    const r = await validateDataset(curator, "signals_production");
    expect(failing(r)).toEqual(["sorted"]);
    expect(byName(r, "sorted").numbers.out_of_order as number).toBeGreaterThan(50);
  });

  test("rows outside the recorded dates", async () => {
    const { lake, curator, df } = await promoted();
    using _ = lake;
    const shifted = withColumn(df, "date", (c) => ({ ...c, values: (c.values as string[]).map((d, i) => (i < 2 ? "2026-01-15" : d)) }));
    replaceDataset(curator, "signals_production", shifted);
    const r = await validateDataset(curator, "signals_production");
    expect(failing(r)).toEqual(["within_dates"]);
    expect(byName(r, "within_dates").numbers.outside).toBe(2);
  });

  test("a feature column too often null (NaN counts as null)", async () => {
    const { lake, curator, df } = await promoted();
    using _ = lake;
    replaceDataset(curator, "signals_production", withColumn(df, "wall_ratio", (c) => ({ name: c.name, type: c.type, values: new Float64Array(df.numRows).fill(NaN) })));
    const r = await validateDataset(curator, "signals_production");
    expect(failing(r)).toEqual(["null_rates"]);
    expect(byName(r, "null_rates").detail).toContain("wall_ratio=1.000>0.5");
  });

  test("a missing outcome class, and one class above the share limit", async () => {
    const { lake, curator, df } = await promoted();
    using _ = lake;
    const outcome = df.values<string[]>("outcome");
    replaceDataset(curator, "signals_production", df.filter((i) => outcome[i] !== "BREAK"));
    const meta = JSON.parse(readFileSync(curator.metadataPath("signals_production"), "utf8"));
    const r = await validateDataset(curator, "signals_production");
    expect(failing(r)).toEqual(["label_distribution"]);
    expect(byName(r, "label_distribution").numbers.missing).toEqual(["BREAK"]);
    expect(meta.signal_count).toBe(93);
    const strict = await validateDataset(curator, "signals_production", { maxClassShare: 0.3, requiredClasses: ["CHOP"] });
    expect(failing(strict)).toEqual(["label_distribution"]);
    expect(byName(strict, "label_distribution").numbers.largest_share).toBeCloseTo(42 / 60, 12);
  });

  test("schema drift: a changed type and an unknown column", async () => {
    const { lake, curator, df } = await promoted();
    using _ = lake;
    const base = trainingSchemaFor(df.columnNames);
    const drifted = { ...base, columns: base.columns.map((c) => (c.name === "level_kind" ? { ...c, type: "int32" as const } : c)) };
    replaceDataset(curator, "signals_production", df, { schema: drifted });
    const r = await validateDataset(curator, "signals_production");
    expect(failing(r)).toEqual(["schema"]);
    expect(byName(r, "schema").detail).toContain("level_kind is int32, expected int8");
    expect(() => trainingSchemaFor([...df.columnNames, "extra"])).toThrow(/schema drift: column\(s\) extra/);
  });

  test("prices and times out of range", async () => {
    const { lake, curator, df } = await promoted();
    using _ = lake;
    replaceDataset(curator, "signals_production", withColumn(df, "entry_price", (c) => ({ ...c, values: (c.values as Float64Array).map((v, i) => (i === 0 ? 0 : v)) })));
    const r = await validateDataset(curator, "signals_production");
    expect(failing(r)).toEqual(["value_ranges"]);
    expect(byName(r, "value_ranges").detail).toContain("entry_price: 1 outside");
  });

  test("stale lineage: Silver rebuilt since promotion, and rows Silver never had", async () => {
    const { lake, curator, df } = await promoted();
    using _ = lake;
    const ids = withColumn(df, "event_id", (c) => ({ ...c, values: (c.values as string[]).map((id, i) => (i === 0 ? "zz-made-up" : id)) }));
    replaceDataset(curator, "signals_production", ids);
    const r1 = await validateDataset(curator, "signals_production");
    expect(failing(r1)).toEqual(["silver_lineage"]);
    expect(byName(r1, "silver_lineage").numbers.untraced).toBe(1);

    const rebuilt = new SilverFeatureBuilder(lake.root, { pipeline: await fixturePipeline() });
    await rebuilt.buildFeatureSet(esPipelineManifest(), [FIXTURE_DATE], { force: true });
    const r2 = await validateDataset(curator, "signals_production");
    expect(byName(r2, "silver_lineage").pass).toBe(false);
    expect(byName(r2, "silver_lineage").detail).toContain("stale");
  });

  test("an empty dataset reports without dividing by zero", async () => {
    const { lake, curator, df } = await promoted();
    using _ = lake;
    replaceDataset(curator, "signals_production", df.slice(0, 0));
    const r = await validateDataset(curator, "signals_production");
    expect(r.row_count).toBe(0);
    expect(r.null_summary.high_null_columns).toEqual([]);
    expect(r.ok).toBe(false); // no labels, no dates
    expect(SILVER_FEATURES.columns).toHaveLength(182);
  });

  test("a predecessor dataset (metadata without lineage) is checked against its date_range and flagged as unhashed", async () => {
    const { lake, curator } = await promoted();
    using _ = lake;
    const p = curator.metadataPath("signals_production");
    const { lineage: _l, ...legacy } = JSON.parse(readFileSync(p, "utf8"));
    writeFileSync(p, JSON.stringify(legacy));
    const r = await validateDataset(curator, "signals_production");
    expect(byName(r, "within_dates").pass).toBe(true);
    expect(byName(r, "file_hash")).toMatchObject({ pass: false, detail: "metadata has no recorded sha256" });
    expect(byName(r, "silver_lineage").pass).toBe(true);
  });
});
