import { describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SilverFeatureBuilder } from "../../../src/silver/builder";
import { FIXTURE, FIXTURE_DATE, tempLake } from "./fixture-lake";
import { PREDECESSOR_MANIFEST_YAML } from "../../../testkit/fixtures";

/** A Silver tree as the Python predecessor left it: PyYAML manifest, pyarrow Parquet, ad-hoc files. */
function predecessorTree(root: string): void {
  const yaml = readFileSync(PREDECESSOR_MANIFEST_YAML, "utf8");
  const v = join(root, "silver/features/v1.0_mechanics_only");
  mkdirSync(join(v, `date=${FIXTURE_DATE}`), { recursive: true });
  writeFileSync(join(v, "manifest.yaml"), yaml);
  copyFileSync(join(FIXTURE, "expected/silver_features.parquet"), join(v, `date=${FIXTURE_DATE}/features_${FIXTURE_DATE}.parquet`));
  // ad-hoc output the predecessor's own loader never saw (no date= dir)
  const es = join(root, "silver/features/es_pipeline");
  mkdirSync(es, { recursive: true });
  copyFileSync(join(FIXTURE, "expected/silver_features.parquet"), join(es, `signals_${FIXTURE_DATE}.parquet`));
  writeFileSync(join(root, "silver/features/experiments.json"), JSON.stringify({ experiments: [{ id: "exp001", version: "v1.0_mechanics_only", created_at: "2025-12-17T15:04:05.123456Z", status: "completed", metrics: { auc: 0.61 }, parent: null, tags: ["mechanics"], notes: "", model_path: null, model_metrics: null }] }, null, 2));
}

describe("predecessor Silver trees", () => {
  test("versions, manifests, experiments and Parquet files are listed and loaded", async () => {
    using lake = tempLake();
    predecessorTree(lake.root);
    const b = new SilverFeatureBuilder(lake.root);
    expect(b.listVersions()).toEqual(["v1.0_mechanics_only"]); // es_pipeline has no manifest.yaml
    const m = b.getManifest("v1.0_mechanics_only")!;
    expect(m.created_at).toBe("2025-12-17T14:03:22.123456Z");
    expect(m.parameters.OUTCOME_THRESHOLD).toBe(2);
    expect(m.feature_groups).toHaveLength(5);
    const f = await b.loadFeatures("v1.0_mechanics_only");
    expect(f.numRows).toBe(107);
    expect(f.columns).toHaveLength(182);
    expect(b.listExperiments()[0]!.metrics).toEqual({ auc: 0.61 });
    expect(b.compareVersions("v1.0_mechanics_only", "v1.0_mechanics_only").features_common).toHaveLength(23);
  });
});
