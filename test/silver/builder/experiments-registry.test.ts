import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { SilverFeatureBuilder } from "../../../src/silver/builder";
import { fullEnsembleManifest } from "../../../src/silver/baselines";
import { FIXTURE_DATE, fixturePipeline, tempLake } from "./fixture-lake";

async function lakeWithVersion() {
  const lake = tempLake({ bronze: true });
  const b = new SilverFeatureBuilder(lake.root, { pipeline: await fixturePipeline() });
  await b.buildFeatureSet(fullEnsembleManifest(), [FIXTURE_DATE]);
  return { lake, b };
}

describe("experiment registry (contracts §4.6, §9 S-8)", () => {
  test("register: record fields, 2-space JSON, parent_version from the manifest", async () => {
    const { lake, b } = await lakeWithVersion();
    using _ = lake;
    const rec = await b.registerExperiment("v2.0_full_ensemble", "exp002", { metrics: { auc: 0.72, precision: 0.68 }, notes: "Added TA features" });
    expect(rec).toMatchObject({ id: "exp002", version: "v2.0_full_ensemble", status: "completed", metrics: { auc: 0.72, precision: 0.68 }, parent: null, parent_version: "v1.0_mechanics_only", tags: ["full", "ensemble", "mechanics", "ta"], notes: "Added TA features", model_path: null, model_metrics: null });
    expect(rec.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
    const text = readFileSync(join(b.featuresDir, "experiments.json"), "utf8");
    expect(text).toStartWith('{\n  "experiments": [\n    {\n      "id": "exp002"');
    expect(b.listExperiments()).toHaveLength(1);
  });

  test("duplicate ids are refused unless overwrite; overwrite keeps the position", async () => {
    const { lake, b } = await lakeWithVersion();
    using _ = lake;
    await b.registerExperiment("v2.0_full_ensemble", "a", { metrics: { auc: 0.5 } });
    await b.registerExperiment("v2.0_full_ensemble", "b", { metrics: { auc: 0.6 } });
    await expect(b.registerExperiment("v2.0_full_ensemble", "a")).rejects.toThrow(/experiment "a" already exists/);
    await b.registerExperiment("v2.0_full_ensemble", "a", { metrics: { auc: 0.9 }, overwrite: true });
    expect(b.listExperiments().map((e) => [e.id, e.metrics?.auc])).toEqual([["a", 0.9], ["b", 0.6]]);
    await expect(b.registerExperiment("v9_missing", "c")).rejects.toThrow("Version v9_missing not found");
    await expect(b.registerExperiment("v2.0_full_ensemble", "../x")).rejects.toThrow(/invalid experiment id/);
  });

  test("predecessor registry: unknown keys ignored (and kept on rewrite), duplicates resolve to the first", async () => {
    const { lake, b } = await lakeWithVersion();
    using _ = lake;
    const legacy = {
      experiments: [
        { id: "e1", version: "v2.0_full_ensemble", created_at: "2025-12-17T15:04:05.123456Z", status: "completed", metrics: { auc: 0.7 }, parent: "v1.0_mechanics_only", tags: [], notes: "first", model_path: null, model_metrics: null, owner: "alice" },
        { id: "e1", version: "v1.0_mechanics_only", created_at: "2025-12-18T15:04:05Z", status: "completed", metrics: {}, parent: null, tags: [], notes: "dup", model_path: null, model_metrics: null },
      ],
    };
    writeFileSync(join(b.featuresDir, "experiments.json"), JSON.stringify(legacy));
    const list = b.listExperiments();
    expect(list).toHaveLength(2);
    expect(list.find((e) => e.id === "e1")!.notes).toBe("first");
    await b.registerExperiment("v2.0_full_ensemble", "e2");
    const saved = JSON.parse(readFileSync(join(b.featuresDir, "experiments.json"), "utf8"));
    expect(saved.experiments[0].owner).toBe("alice");
    expect(saved.experiments).toHaveLength(3);
  });

  test("a corrupt registry is moved aside and registration starts fresh", async () => {
    const { lake, b } = await lakeWithVersion();
    using _ = lake;
    writeFileSync(join(b.featuresDir, "experiments.json"), "{ not json");
    await b.registerExperiment("v2.0_full_ensemble", "fresh");
    expect(b.listExperiments().map((e) => e.id)).toEqual(["fresh"]);
    expect(readdirSync(b.featuresDir).some((n) => n.startsWith("experiments.json.corrupt-"))).toBe(true);
  });

  test("concurrent registrations from two processes lose no update", async () => {
    const { lake, b } = await lakeWithVersion();
    using _ = lake;
    const script = (prefix: string) => `
      import { SilverFeatureBuilder } from "${join(import.meta.dir, "../../../src/silver/builder")}";
      const b = new SilverFeatureBuilder(${JSON.stringify(lake.root)});
      for (let i = 0; i < 15; i++) await b.registerExperiment("v2.0_full_ensemble", "${prefix}" + i, { metrics: { auc: i } });`;
    const procs = ["p", "q"].map((p) => Bun.spawn([process.execPath, "-e", script(p)], { stderr: "pipe" }));
    const codes = await Promise.all(procs.map((p) => p.exited));
    expect(codes).toEqual([0, 0]);
    const ids = b.listExperiments().map((e) => e.id).sort();
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
  });
});
