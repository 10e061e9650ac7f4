/**
 * `lake silver --variant corrected` builds es_pipeline_pit (manifest: variant + every switch),
 * and `lake silver compare es_pipeline es_pipeline_pit` compares the data of both.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempLake, FIXTURE_DATE, type TempLake } from "../builder/fixture-lake";
import { lake } from "../builder/sim-lake";
import { readParquetInfo } from "../../../src/parquet";
import { EXTRA_COLUMN_SPECS, SILVER_FEATURES, silverSchemaFor } from "../../../src/schemas/silver";
import { correctedConfig } from "../../../src/silver/pipeline/config";
import { manifestFromObject, serializeManifest } from "../../../src/silver/manifest";

const NEW = EXTRA_COLUMN_SPECS.map((c) => c.name);

let l: TempLake;
beforeAll(async () => {
  l = tempLake({ bronze: true });
  for (const args of [[], ["--variant", "corrected"], ["--version", "v1.0_mechanics_only", "--variant", "corrected"]]) {
    const r = await lake(["silver", "--data-root", l.root, "--dates", FIXTURE_DATE, ...args]);
    expect(r.code).toBe(0);
  }
});
afterAll(() => rmSync(l.root, { recursive: true, force: true }));

describe("es_pipeline_pit", () => {
  test("the manifest records the corrected variant and every §15 switch on", () => {
    const m = readFileSync(join(l.root, "silver/features/es_pipeline_pit/manifest.yaml"), "utf8");
    expect(m).toMatch(/^version: es_pipeline_pit$/m);
    expect(m).toMatch(/variant: corrected/);
    for (const s of ["barEndDecision", "causalLevels", "contractFilter", "trailingWindows", "causalOptions", "fittedKinematics", "labelWindowAfterEntry", "rthAttemptClustering", "spotDistances", "rthAtr"]) {
      expect(m).toMatch(new RegExp(`${s}: true`));
    }
    expect(readFileSync(join(l.root, "silver/features/es_pipeline/manifest.yaml"), "utf8")).toMatch(/variant: reference/);
  });

  test("the files hold the corrected schema (182 + the D-5/D-32 columns), es_pipeline's exactly the 182; show and validation follow", async () => {
    const info = async (v: string) => readParquetInfo(readFileSync(join(l.root, `silver/features/${v}/date=${FIXTURE_DATE}/features_${FIXTURE_DATE}.parquet`)));
    const [ref, pit] = [await info("es_pipeline"), await info("es_pipeline_pit")];
    expect(ref.columns.map((c) => c.name)).toEqual(SILVER_FEATURES.columns.map((c) => c.name));
    expect(ref.kv.schema_name).toBe("features.es_pipeline.v1");
    const pitSchema = silverSchemaFor(correctedConfig().fixes);
    expect(pit.columns.map((c) => c.name)).toEqual(pitSchema.columns.map((c) => c.name));
    expect(pit.kv).toMatchObject({ schema_name: "features.es_pipeline_pit.v1", total_columns: String(182 + NEW.length), feature_count: String(108 + NEW.length) });
    const show = await lake(["silver", "show", "es_pipeline_pit", "--data-root", l.root]);
    expect(show.out).toMatch(/spot_distance\(6\), session_atr\(1\)/);
    expect(show.out).toMatch(new RegExp(`${108 + NEW.length} features`));
    const validation = JSON.parse(readFileSync(join(l.root, "silver/features/es_pipeline_pit/validation.json"), "utf8"));
    expect(validation.feature_count).toBe(108 + NEW.length);
  });

  test("Gold promotion, validation and the query views carry the new columns", async () => {
    const promote = await lake(["gold", "promote", "es_pipeline_pit", "--dataset", "pit", "--data-root", l.root]);
    expect(promote.code).toBe(0);
    const validate = await lake(["gold", "validate", "pit", "--data-root", l.root]);
    expect(validate.code).toBe(0);
    expect(validate.out).toMatch(new RegExp(`schema\\s+PASS\\s+${182 + NEW.length} columns match training.es_pipeline_pit.v1`));
    const q = await lake(["query", "SELECT version, count(atr_rth) AS a, count(spot_dist_to_sma_400) AS s FROM silver_features WHERE version LIKE 'es_pipeline%' GROUP BY 1 ORDER BY 1", "--format", "csv", "--data-root", l.root]);
    expect(q.out.trim().split("\n")).toEqual(["version,a,s", "es_pipeline,0,0", "es_pipeline_pit,95,95"]);
  });

  test("a manifest naming the new columns gets them from the corrected variant; the reference warns and skips them", async () => {
    const manifest = (version: string) => {
      const path = join(l.root, `${version}.yaml`);
      writeFileSync(path, serializeManifest(manifestFromObject({ version, name: version, description: "atr pair", created_at: "2026-01-01T00:00:00Z", created_by: "test", feature_groups: [{ name: "atr", description: "", columns: ["atr", "atr_rth", "spot_dist_to_pm_high"], dependencies: [] }] })));
      return path;
    };
    const ref = await lake(["silver", "--data-root", l.root, "--dates", FIXTURE_DATE, "--manifest", manifest("atr_ref")]);
    expect(ref.code).toBe(0);
    expect(ref.err).toMatch(/2 column\(s\) are not produced by the reference variant with this config and are skipped: atr_rth, spot_dist_to_pm_high/);
    const pit = await lake(["silver", "--data-root", l.root, "--dates", FIXTURE_DATE, "--manifest", manifest("atr_pit"), "--variant", "corrected"]);
    expect(pit.code).toBe(0);
    const features = async (v: string) => (await readParquetInfo(readFileSync(join(l.root, `silver/features/${v}/date=${FIXTURE_DATE}/features_${FIXTURE_DATE}.parquet`)))).columns.map((c) => c.name).filter((n) => n.includes("atr") || n.startsWith("spot_dist"));
    expect(await features("atr_ref")).toEqual(["atr"]);
    expect(await features("atr_pit")).toEqual(["atr", "atr_rth", "spot_dist_to_pm_high"]);
  });

  test("lookahead on a built version analyses the variant it was built with", async () => {
    const r = await lake(["silver", "lookahead", "--data-root", l.root, "--version", "v1.0_mechanics_only", "--dates", FIXTURE_DATE, "--sample", "2", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).variant).toBe("corrected");
  });

  test("compare: event counts, unmatched events by reason, per-column changes, label distributions", async () => {
    const r = await lake(["silver", "compare", "es_pipeline", "es_pipeline_pit", "--data-root", l.root, "--json"]);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out).data;
    expect([d.events_a, d.events_b]).toEqual([107, 95]);
    expect(d.matched + d.only_a.count).toBe(107);
    expect(d.matched + d.only_b.count).toBe(95);
    expect(Object.keys(d.only_a.reasons).some((k: string) => k.includes("OR event before 09:45"))).toBe(true);
    const col = (name: string) => d.columns.find((c: { column: string }) => c.column === name);
    expect(col("ts_ns").rows_changed).toBe(0); // matched on it
    expect(col("gamma_exposure").rows_changed).toBe(d.matched); // whole-day vs causal options (D-8, D-9)
    expect(col("tape_velocity").max_abs_change).toBeGreaterThan(0);
    const outcome = d.labels.find((x: { column: string }) => x.column === "outcome");
    const total = (o: Record<string, number>) => Object.values(o).reduce((s, n) => s + n, 0);
    expect([total(outcome.a), total(outcome.b)]).toEqual([107, 95]);
    expect(outcome.b.UNDEFINED ?? 0).toBeLessThan(outcome.a.UNDEFINED); // D-13: the gate matches the trigger
    const text = await lake(["silver", "compare", "es_pipeline", "es_pipeline_pit", "--data-root", l.root]);
    expect(text.out).toMatch(/events: es_pipeline 107, es_pipeline_pit 95 \(-12\)/);
    expect(text.out).toMatch(/label distributions:/);
    expect(JSON.parse(r.out).features_added).toEqual([...NEW].sort());
    expect(text.out).toMatch(new RegExp(`added \\(${NEW.length}\\): atr_rth, spot_dist_to_or_high`));
  });
});
