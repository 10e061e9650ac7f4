import { describe, expect, test } from "bun:test";
import { copyFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SilverFeatureBuilder } from "../../../src/silver/builder";
import { esPipelineManifest } from "../../../src/silver/baselines";
import { versionStatus, verifyVersion } from "../../../src/silver/status";
import { FIXTURE_DATE, fixturePipeline, tempLake } from "./fixture-lake";

describe("lineage: status (stale) and verify (reproducible)", () => {
  test("status is fresh after a build and stale once a Bronze input changes, naming the file", async () => {
    using lake = tempLake({ bronze: true });
    const b = new SilverFeatureBuilder(lake.root, { pipeline: await fixturePipeline() });
    await b.buildFeatureSet(esPipelineManifest(), [FIXTURE_DATE]);
    // the warm-up days have trades too: Bronze dates the version was not built over are missing
    expect(await versionStatus(b, "es_pipeline")).toMatchObject({ state: "incomplete", missing_dates: ["2026-01-09", "2026-01-12", "2026-01-13"], changed_dates: [] });
    await b.buildFeatureSet(esPipelineManifest(), ["2026-01-09", "2026-01-12", "2026-01-13", FIXTURE_DATE]);
    expect(await versionStatus(b, "es_pipeline")).toMatchObject({ state: "fresh", missing_dates: [], changed_dates: [] });

    // a late file lands in a warm-up day of the build's inputs
    const hourDir = join(lake.root, "bronze/futures/trades/symbol=ES/date=2026-01-13/hour=15");
    copyFileSync(join(hourDir, readdirSync(hourDir)[0]!), join(hourDir, "part-late.parquet"));
    const s = await versionStatus(b, "es_pipeline");
    expect(s.state).toBe("stale");
    expect(s.changed_dates).toEqual(["2026-01-13", FIXTURE_DATE]); // its own trades, and a warm-up day of 01-14
    expect(s.dates.find((d) => d.date === FIXTURE_DATE)!.changed).toEqual(["added bronze/futures/trades/symbol=ES/date=2026-01-13/hour=15/part-late.parquet"]);
  });

  test("a version without lineage (predecessor) is 'unknown', not stale", async () => {
    using lake = tempLake({ bronze: true });
    const b = new SilverFeatureBuilder(lake.root, { pipeline: await fixturePipeline() });
    await b.buildFeatureSet(esPipelineManifest(), [FIXTURE_DATE]);
    const p = join(b.versionDir("es_pipeline"), "manifest.yaml");
    const text = await Bun.file(p).text();
    writeFileSync(p, text.replace(/\n    lineage:\n(      .*\n|        .*\n)+/, "\n"));
    expect((await versionStatus(b, "es_pipeline")).state).toBe("unknown");
  });

  test("verify: identical rebuild passes; a tampered output fails naming the difference", async () => {
    using lake = tempLake({ bronze: true });
    const b = new SilverFeatureBuilder(lake.root, { pipeline: await fixturePipeline() });
    await b.buildFeatureSet(esPipelineManifest(), [FIXTURE_DATE]);
    const ok = await verifyVersion(b, "es_pipeline");
    expect(ok.identical).toBe(true);
    expect(ok.dates).toEqual([{ date: FIXTURE_DATE, identical: true, detail: "byte-identical" }]);
    expect(readdirSync(join(b.featuresDir, ".staging"))).toEqual([]);

    // a pipeline that now gives fewer rows: the rebuild differs
    const drift = new SilverFeatureBuilder(lake.root, { pipeline: await fixturePipeline(() => 100) });
    const bad = await verifyVersion(drift, "es_pipeline");
    expect(bad.identical).toBe(false);
    expect(bad.dates[0]!.detail).toBe("row count 107 vs 100");
  });
});
