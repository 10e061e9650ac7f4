import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parquetMetadata } from "hyparquet";
import { GOLD_TRAINING } from "../../src/schemas/silver";
import { mechanicsOnlyManifest } from "../../src/silver/baselines";
import { sha256Bytes } from "../../src/silver/lineage";
import { FIXTURE_DATE, lakeWithSilver } from "./gold-lake";

describe("promoteToTraining (contracts §5.2–5.4)", () => {
  test("writes a sorted, ZSTD, schema-typed dataset with metadata, lineage and a relative catalog entry", async () => {
    const { lake, curator } = await lakeWithSilver(["2026-01-13", FIXTURE_DATE]);
    using _ = lake;
    const r = await curator.promoteToTraining("es_pipeline", { notes: "first" });
    expect(r).toMatchObject({ status: "success", dataset_name: "signals_production", signal_count: 137, feature_count: 179, silver_version: "es_pipeline" });
    const bytes = readFileSync(join(lake.root, "gold/training/signals_production.parquet"));
    const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    expect(meta.row_groups[0]!.columns[0]!.meta_data!.codec).toBe("ZSTD");
    const kv = Object.fromEntries((meta.key_value_metadata ?? []).map((x) => [x.key, x.value]));
    expect(kv.schema_name).toBe("training.es_pipeline.v1");

    const df = await curator.loadTrainingData();
    expect(df.columnNames).toEqual(GOLD_TRAINING.columns.map((c) => c.name));
    expect(df.columns.map((c) => c.type)).toEqual(GOLD_TRAINING.columns.map((c) => c.type));
    const ts = df.values<BigInt64Array>("ts_ns");
    const ids = df.values<string[]>("event_id");
    for (let i = 1; i < df.numRows; i++) expect(ts[i - 1]! < ts[i]! || (ts[i - 1] === ts[i] && ids[i - 1]! <= ids[i]!)).toBe(true);

    const md = curator.getDatasetMetadata("signals_production")!;
    expect(md).toMatchObject({ dataset_name: "signals_production", silver_version: "es_pipeline", signal_count: 137, feature_count: 179, date_range: { start: "2026-01-13", end: FIXTURE_DATE }, notes: "first" });
    expect(md.manifest.version).toBe("es_pipeline");
    expect(md.manifest.parameters.W_b).toBe(240);
    expect(md.lineage.sha256).toBe(sha256Bytes(bytes));
    expect(md.lineage.silver_manifest_sha256).toBe(sha256Bytes(readFileSync(join(lake.root, "silver/features/es_pipeline/manifest.yaml"))));
    expect(md.lineage.dates).toEqual(["2026-01-13", FIXTURE_DATE]);
    expect(md.lineage.lake_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(readFileSync(curator.metadataPath("signals_production"), "utf8")).toStartWith('{\n  "dataset_name"');

    const cat = JSON.parse(readFileSync(join(lake.root, "gold/catalog.json"), "utf8"));
    expect(cat.datasets).toHaveLength(1);
    expect(cat.datasets[0]).toMatchObject({ name: "signals_production", type: "training", path: "gold/training/signals_production.parquet", signal_count: 137, silver_version: "es_pipeline" });
    expect(cat.last_updated).toMatch(/Z$/);
    expect(curator.listTrainingDatasets().map((d) => d.name)).toEqual(["signals_production"]);
  });

  test("dates subset; new Silver dates are appended as a new entry; up to date is skipped; forced re-promotion keeps history until pruned", async () => {
    const { lake, curator } = await lakeWithSilver(["2026-01-13", FIXTURE_DATE]);
    using _ = lake;
    const first = await curator.promoteToTraining("es_pipeline", { dates: [FIXTURE_DATE] });
    expect(first.status === "success" && first.signal_count).toBe(107);
    // the version has a date the dataset lacks: promote appends it, keeping the previous file
    const again = await curator.promoteToTraining("es_pipeline");
    expect(again).toMatchObject({ status: "success", signal_count: 137, replaced: "signals_production@1", appended_dates: ["2026-01-13"] });
    expect(curator.getDatasetMetadata("signals_production")!.lineage.dates).toEqual(["2026-01-13", FIXTURE_DATE]);
    const skip = await curator.promoteToTraining("es_pipeline");
    expect(skip).toMatchObject({ status: "skipped", reason: "Dataset signals_production is up to date: it already has every date of es_pipeline (2). Use --force to rebuild it." });
    const other = await curator.promoteToTraining("v1.0_mechanics_only").catch((e: Error) => e.message);
    expect(other).toContain("Silver version v1.0_mechanics_only does not exist (versions: es_pipeline)");
    const forced = await curator.promoteToTraining("es_pipeline", { force: true });
    expect(forced).toMatchObject({ status: "success", signal_count: 137, replaced: "signals_production@2" });
    const list = curator.listTrainingDatasets();
    expect(list).toHaveLength(1);
    expect(list[0]!.history!.map((h) => [h.id, h.signal_count])).toEqual([["signals_production@1", 107], ["signals_production@2", 137]]);
    expect((await curator.loadTrainingData("signals_production@1")).numRows).toBe(107);
    expect(curator.getDatasetMetadata("signals_production@1")!.signal_count).toBe(107);
    expect((await curator.loadTrainingData()).numRows).toBe(137);
    const dropped = await curator.pruneHistory("signals_production");
    expect(dropped.map((h) => h.id)).toEqual(["signals_production@1", "signals_production@2"]);
    expect(existsSync(join(lake.root, "gold/training/history/signals_production@1.parquet"))).toBe(false);
    expect(curator.listTrainingDatasets()[0]!.history).toEqual([]);
  });

  test("errors: missing version throws; missing manifest / no data are error results; bad names refused", async () => {
    const { lake, curator, silver } = await lakeWithSilver();
    using _ = lake;
    await expect(curator.promoteToTraining("v9_nope")).rejects.toThrow("Silver version v9_nope does not exist");
    expect(await curator.promoteToTraining("es_pipeline", { dates: ["2025-01-01"] })).toEqual({ status: "error", reason: "No data found in Silver version", silver_version: "es_pipeline" });
    await silver.buildFeatureSet(mechanicsOnlyManifest(), [FIXTURE_DATE]);
    const { rmSync } = await import("node:fs");
    rmSync(join(silver.versionDir("v1.0_mechanics_only"), "manifest.yaml"));
    expect(await curator.promoteToTraining("v1.0_mechanics_only", { datasetName: "m" })).toEqual({ status: "error", reason: "Manifest not found for v1.0_mechanics_only", silver_version: "v1.0_mechanics_only" });
    await expect(curator.promoteToTraining("es_pipeline", { datasetName: "../x" })).rejects.toThrow(/invalid Gold dataset name/);
    await expect(curator.loadTrainingData("missing")).rejects.toThrow("Gold training dataset 'missing' not found");
  });

  test("a manifest subset is promoted with its subset schema; catalog accepts predecessor absolute paths", async () => {
    const { lake, curator, silver } = await lakeWithSilver();
    using _ = lake;
    await silver.buildFeatureSet(mechanicsOnlyManifest(), [FIXTURE_DATE]);
    const r = await curator.promoteToTraining("v1.0_mechanics_only", { datasetName: "mech" });
    expect(r.status).toBe("success");
    const df = await curator.loadTrainingData("mech");
    expect(df.columns).toHaveLength(86);
    const { writeFileSync } = await import("node:fs");
    const abs = join(lake.root, "gold/training/mech.parquet");
    writeFileSync(join(lake.root, "gold/catalog.json"), JSON.stringify({ datasets: [{ name: "mech", type: "training", path: abs, created_at: "x", signal_count: 107, silver_version: "v1.0_mechanics_only" }], last_updated: null }));
    expect(curator.resolveDataset("mech").path).toBe(abs);
    expect((await curator.loadTrainingData("mech")).numRows).toBe(107);
  });
});
