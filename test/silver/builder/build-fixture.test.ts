import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SilverFeatureBuilder } from "../../../src/silver/builder";
import { esPipelineManifest, fullEnsembleManifest, mechanicsOnlyManifest } from "../../../src/silver/baselines";
import { parseManifest } from "../../../src/silver/manifest";
import { SILVER_FEATURES } from "../../../src/schemas/silver";
import { readParquetInfo } from "../../../src/parquet";
import { FIXTURE_DATE, expectedFrame, fixturePipeline, tempLake } from "./fixture-lake";

describe("buildFeatureSet over the fixture lake (contracts §4.1, §4.4, §4.5)", () => {
  test("es_pipeline: layout, manifest, validation.json, lineage, schema-typed Parquet", async () => {
    using lake = tempLake({ bronze: true });
    const b = new SilverFeatureBuilder(lake.root, { pipeline: await fixturePipeline() });
    const r = await b.buildFeatureSet(esPipelineManifest(), [FIXTURE_DATE]);
    expect(r.status).toBe("success");
    expect(r.dates_processed).toBe(1);
    expect(r.signals_total).toBe(107);
    const dir = join(lake.root, "silver/features/es_pipeline");
    expect(readdirSync(dir).sort()).toEqual([".dates", "date=2026-01-14", "lineage.json", "manifest.yaml", "validation.json"]);
    expect(readdirSync(join(dir, "date=2026-01-14"))).toEqual(["features_2026-01-14.parquet"]);

    const info = await readParquetInfo(new Uint8Array(readFileSync(join(dir, "date=2026-01-14/features_2026-01-14.parquet"))));
    expect(info.numRows).toBe(107);
    expect(info.columns.map((c) => c.name)).toEqual(SILVER_FEATURES.columns.map((c) => c.name));
    expect(info.kv.silver_version).toBe("es_pipeline");

    const m = parseManifest(readFileSync(join(dir, "manifest.yaml"), "utf8"));
    expect(m.validation!.signal_count).toBe(107);
    expect(m.validation!.feature_count).toBe(108);
    expect(m.validation!.date_range).toEqual({ start: FIXTURE_DATE, end: FIXTURE_DATE });
    expect(Object.keys(m.validation!.null_rates)).toHaveLength(172); // every non-identity column
    expect(m.validation!.schema_hash).toMatch(/^[0-9a-f]{32}$/);
    // the fixture's 52 null-holding columns are all labels
    const frame = await expectedFrame();
    const outcomeNulls = m.validation!.null_rates.time_to_break_2!;
    let n = 0;
    for (let i = 0; i < frame.numRows; i++) if (frame.column("time_to_break_2").valid?.[i] === 0) n++;
    expect(outcomeNulls).toBeCloseTo(n / 107, 12);

    const lineage = m.parameters.custom.lineage as Record<string, any>;
    expect(lineage.pipeline).toBe("es_pipeline");
    expect(lineage.pipeline_version).toBe("2.0.0");
    expect(lineage.variant).toBe("reference");
    expect(lineage.bronze_inputs[FIXTURE_DATE]).toMatch(/^[0-9a-f]{64}$/);
    expect(m.parameters.custom.effective_config).toBeDefined();
    const lj = JSON.parse(readFileSync(join(dir, "lineage.json"), "utf8"));
    const keys: string[] = lj.dates[0].inputs.files.map((f: { key: string }) => f.key);
    expect(lj.dates[0].inputs.warmup_dates).toEqual(["2026-01-09", "2026-01-12", "2026-01-13"]);
    expect(keys.some((k) => k.includes("mbp10/symbol=ES/date=2026-01-14"))).toBe(true);
    expect(keys.some((k) => k.includes("options/trades/underlying=ES/date=2026-01-14"))).toBe(true);
    expect(keys.some((k) => k.includes("futures/trades/symbol=ES/date=2026-01-09"))).toBe(true);

    const v = JSON.parse(readFileSync(join(dir, "validation.json"), "utf8"));
    const rates = Object.values(m.validation!.null_rates);
    expect(v.signal_count).toBe(107);
    expect(v.null_rates_summary.max).toBe(Math.max(...rates));
    expect(v.null_rates_summary.mean).toBeCloseTo(rates.reduce((s, x) => s + x, 0) / rates.length, 12);
    expect(v.null_rates_summary.high_null_features).toEqual(Object.entries(m.validation!.null_rates).filter(([, x]) => x > 0.1).map(([k]) => k));
    expect(readFileSync(join(dir, "validation.json"), "utf8")).toStartWith('{\n  "date_range": {\n    "start": "2026-01-14"');
  });

  test("a manifest subset keeps identity ++ selected features ++ labels; loadFeatures with and without dates", async () => {
    using lake = tempLake({ bronze: true, bookDates: ["2026-01-13"] });
    const b = new SilverFeatureBuilder(lake.root, { pipeline: await fixturePipeline((d) => (d === FIXTURE_DATE ? 107 : 20)) });
    const r = await b.buildFeatureSet(fullEnsembleManifest(), ["2026-01-13", FIXTURE_DATE]);
    expect(r.status).toBe("success");
    const all = await b.loadFeatures("v2.0_full_ensemble");
    expect(all.numRows).toBe(127);
    expect(all.columns).toHaveLength(10 + 19 + 64);
    expect(all.columnNames.slice(10, 13)).toEqual(["barrier_state", "barrier_delta_liq", "barrier_delta_liq_log"]);
    // date dirs in lexicographic order
    expect(all.values<string[]>("date")[0]).toBe("2026-01-13");
    expect((await b.loadFeatures("v2.0_full_ensemble", [FIXTURE_DATE, "2026-01-13"])).values<string[]>("date")[0]).toBe(FIXTURE_DATE);
    expect((await b.loadFeatures("v2.0_full_ensemble", ["2026-02-02"])).numRows).toBe(0);
    expect(b.getManifest("v2.0_full_ensemble")!.validation!.date_range).toEqual({ start: "2026-01-13", end: FIXTURE_DATE });
    await expect(b.loadFeatures("nope")).rejects.toThrow("Version nope not found");
  });

  test("an existing version with every requested date is skipped; statuses success / partial / failed", async () => {
    using lake = tempLake({ bronze: true, bookDates: ["2026-01-13"] });
    const fail = new Error("boom");
    const b = new SilverFeatureBuilder(lake.root, { pipeline: await fixturePipeline((d) => (d === "2026-01-13" ? fail : d === FIXTURE_DATE ? 107 : 0)) });
    const partial = await b.buildFeatureSet(mechanicsOnlyManifest(), ["2026-01-13", FIXTURE_DATE]);
    expect(partial.status).toBe("partial");
    expect(partial.errors).toEqual(["Error processing 2026-01-13: boom"]);
    const skipped = await b.buildFeatureSet(mechanicsOnlyManifest(), [FIXTURE_DATE]);
    expect(skipped.status).toBe("skipped");
    expect(skipped.reason).toBe("Version v1.0_mechanics_only is up to date: it already has all 1 requested date(s). Use --force to rebuild it.");
    const failed = await b.buildFeatureSet(esPipelineManifest(), ["2026-01-13"]);
    expect(failed.status).toBe("failed");
    expect(existsSync(join(lake.root, "silver/features/es_pipeline"))).toBe(false);
    expect(readdirSync(join(lake.root, "silver/features/.staging"))).toEqual([]);
  });

  test("force replaces the version: partitions of dates not rebuilt disappear", async () => {
    using lake = tempLake({ bronze: true, bookDates: ["2026-01-13"] });
    const b = new SilverFeatureBuilder(lake.root, { pipeline: await fixturePipeline((d) => (d === FIXTURE_DATE ? 107 : 10)) });
    await b.buildFeatureSet(mechanicsOnlyManifest(), ["2026-01-13", FIXTURE_DATE]);
    const r = await b.buildFeatureSet(mechanicsOnlyManifest(), [FIXTURE_DATE], { force: true });
    expect(r.status).toBe("success");
    expect(readdirSync(join(lake.root, "silver/features/v1.0_mechanics_only")).filter((n) => n.startsWith("date="))).toEqual(["date=2026-01-14"]);
    expect((await b.loadFeatures("v1.0_mechanics_only")).numRows).toBe(107);
  });

  test("version and date strings cannot escape the lake", async () => {
    using lake = tempLake();
    const b = new SilverFeatureBuilder(lake.root, { pipeline: await fixturePipeline() });
    await expect(b.buildFeatureSet({ ...esPipelineManifest(), version: "../evil" }, [FIXTURE_DATE])).rejects.toThrow(/invalid Silver version/);
    await expect(b.buildFeatureSet(esPipelineManifest(), ["2026-01-14/../x"])).rejects.toThrow(/invalid date/);
    await expect(b.buildFeatureSet(esPipelineManifest(), ["2026-02-30"])).rejects.toThrow(/not a calendar date/);
    expect(() => b.getManifest("a/b")).toThrow(/invalid Silver version/);
  });

  test("listVersions: only dirs with manifest.yaml; lexicographic by default, natural on request", async () => {
    using lake = tempLake();
    const f = join(lake.root, "silver/features");
    for (const v of ["v10.0_x", "v2.0_y", "v1.0_z", "no_manifest"]) mkdirSync(join(f, v), { recursive: true });
    for (const v of ["v10.0_x", "v2.0_y", "v1.0_z"]) writeFileSync(join(f, v, "manifest.yaml"), `version: ${v}\nname: n\ndescription: d\ncreated_at: '2025-01-01T00:00:00Z'\n`);
    const b = new SilverFeatureBuilder(lake.root);
    expect(b.listVersions()).toEqual(["v1.0_z", "v10.0_x", "v2.0_y"]);
    expect(b.listVersions({ natural: true })).toEqual(["v1.0_z", "v2.0_y", "v10.0_x"]);
    expect(b.getManifest("no_manifest")).toBeNull();
  });

  test("compareVersions: sorted set differences of manifest columns", async () => {
    using lake = tempLake({ bronze: true });
    const b = new SilverFeatureBuilder(lake.root, { pipeline: await fixturePipeline() });
    await b.buildFeatureSet(mechanicsOnlyManifest(), [FIXTURE_DATE]);
    await b.buildFeatureSet(fullEnsembleManifest(), [FIXTURE_DATE]);
    const c = b.compareVersions("v1.0_mechanics_only", "v2.0_full_ensemble");
    expect(c.feature_count_a).toBe(23);
    expect(c.feature_count_b).toBe(39);
    expect(c.features_removed).toEqual([]);
    expect(c.features_added).toEqual([...c.features_added].sort());
    expect(c.features_added).toHaveLength(16);
    expect(c.features_added[0]).toBe("approach_distance");
    expect(c.features_common).toHaveLength(23);
    expect(() => b.compareVersions("v1.0_mechanics_only", "zzz")).toThrow("One or both versions not found");
  });

  test("a custom manifest's config_overrides reach the pipeline and are recorded with the effective config", async () => {
    using lake = tempLake({ bronze: true });
    const inner = await fixturePipeline();
    const seen: unknown[] = [];
    const b = new SilverFeatureBuilder(lake.root, { pipeline: async (a) => (seen.push(a.config), inner(a)) });
    const m = parseManifest(
      "version: v3.0_custom\nname: custom\ndescription: d\ncreated_at: '2026-01-01T00:00:00Z'\nparameters:\n  custom:\n    config_overrides:\n      labels:\n        outcomeThreshold: 10.5\n",
    );
    expect((await b.buildFeatureSet(m, [FIXTURE_DATE], { variant: "corrected" })).status).toBe("success");
    expect(seen).toEqual([{ labels: { outcomeThreshold: 10.5 } }]);
    const saved = b.getManifest("v3.0_custom")!;
    const eff = saved.parameters.custom.effective_config as { labels: { outcomeThreshold: number }; fixes: Record<string, boolean> };
    expect(eff.labels.outcomeThreshold).toBe(10.5);
    expect(Object.values(eff.fixes).some(Boolean)).toBe(true); // the corrected variant's switches
    expect((saved.parameters.custom.lineage as { variant: string }).variant).toBe("corrected");
    // no feature columns listed → every schema feature
    expect(saved.validation!.feature_count).toBe(108);
  });

  test("a manifest whose listed columns match none of the schema is refused before anything is written (§9 S-5)", async () => {
    using lake = tempLake({ bronze: true });
    const b = new SilverFeatureBuilder(lake.root, { pipeline: await fixturePipeline() });
    const m = { ...mechanicsOnlyManifest(), version: "v0_typo", feature_groups: [{ name: "g", description: "", columns: ["wall_ratoi"], dependencies: [] }] };
    await expect(b.buildFeatureSet(m, [FIXTURE_DATE])).rejects.toThrow(/none of its 1 feature columns is in features.es_pipeline.v1 \(e.g. wall_ratoi\)/);
    expect(b.listVersions()).toEqual([]);
  });
});
