import { describe, expect, test } from "bun:test";
import { SilverFeatureBuilder } from "../../../src/silver/builder";
import { esPipelineManifest } from "../../../src/silver/baselines";
import { SILVER_FEATURES } from "../../../src/schemas/silver";
import { FIXTURE_DATE, expectedFrame, tempLake } from "./fixture-lake";

describe("lake silver over the fixture lake with the real ES pipeline", () => {
  test("default dates: D built (107 reference events), warm-up-only days reported empty, not failed", async () => {
    using lake = tempLake({ bronze: true });
    const b = new SilverFeatureBuilder(lake.root);
    const { bronzeTradeDates } = await import("../../../src/silver/lineage");
    const dates = await bronzeTradeDates(b.bronze);
    expect(dates).toEqual(["2026-01-09", "2026-01-12", "2026-01-13", FIXTURE_DATE]);
    const r = await b.buildFeatureSet(esPipelineManifest(), dates, { concurrency: 2 });
    expect({ status: r.status, errors: r.errors, empty: r.dates_empty }).toEqual({ status: "success", errors: [], empty: ["2026-01-09", "2026-01-12", "2026-01-13"] });
    const f = await b.loadFeatures("es_pipeline");
    expect(f.columnNames).toEqual(SILVER_FEATURES.columns.map((c) => c.name));
    const want = (await expectedFrame()).values<string[]>("event_id");
    expect([...f.values<string[]>("event_id")].sort()).toEqual([...want].sort());
  }, 60_000);
});
