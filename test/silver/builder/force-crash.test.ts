import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, renameSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { SilverFeatureBuilder } from "../../../src/silver/builder";
import { mechanicsOnlyManifest } from "../../../src/silver/baselines";
import { FIXTURE_DATE, fixturePipeline, tempLake } from "./fixture-lake";

const DATES = ["2026-01-09", "2026-01-12", "2026-01-13", FIXTURE_DATE];

describe("force is atomic (contracts §4.9)", () => {
  test("a forced build killed midway leaves the previous version intact", async () => {
    using lake = tempLake({ bronze: true, bookDates: DATES.slice(0, 3) });
    const b = new SilverFeatureBuilder(lake.root, { pipeline: await fixturePipeline((d) => (d === FIXTURE_DATE ? 107 : 5)) });
    await b.buildFeatureSet(mechanicsOnlyManifest(), [FIXTURE_DATE]);
    const before = await b.loadFeatures("v1.0_mechanics_only");
    const manifestBefore = b.getManifest("v1.0_mechanics_only");

    // child: forced rebuild of 4 dates with a slow pipeline; we SIGKILL it once one date is staged
    const script = `
      import { SilverFeatureBuilder } from "${join(import.meta.dir, "../../../src/silver/builder")}";
      import { mechanicsOnlyManifest } from "${join(import.meta.dir, "../../../src/silver/baselines")}";
      import { fixturePipeline } from "${join(import.meta.dir, "fixture-lake")}";
      const inner = await fixturePipeline(() => 50);
      const b = new SilverFeatureBuilder(${JSON.stringify(lake.root)}, { pipeline: async (a) => { await Bun.sleep(400); return inner(a); } });
      await b.buildFeatureSet(mechanicsOnlyManifest(), ${JSON.stringify(DATES)}, { force: true });
      console.log("finished");`;
    const child = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
    const staging = join(b.featuresDir, ".staging");
    const deadline = Date.now() + 20_000;
    const stagedDate = () => existsSync(staging) && readdirSync(staging).some((s) => existsSync(join(staging, s, "date=2026-01-09")));
    while (!stagedDate() && Date.now() < deadline) await Bun.sleep(20);
    expect(stagedDate()).toBe(true);
    child.kill(9);
    await child.exited;
    expect(await new Response(child.stdout).text()).not.toContain("finished");

    expect(b.listVersions()).toEqual(["v1.0_mechanics_only"]);
    expect(b.getManifest("v1.0_mechanics_only")).toEqual(manifestBefore);
    const after = await b.loadFeatures("v1.0_mechanics_only");
    expect(after.numRows).toBe(before.numRows);
    expect(after.values<string[]>("event_id")).toEqual(before.values<string[]>("event_id"));
    // the leftover staging dir does not block the next forced build
    const again = await b.buildFeatureSet(mechanicsOnlyManifest(), DATES, { force: true });
    expect(again.status).toBe("success");
    expect((await b.loadFeatures("v1.0_mechanics_only")).numRows).toBe(107 + 3 * 5);
  });

  test("a swap interrupted after moving the old version aside is repaired on the next build", async () => {
    using lake = tempLake({ bronze: true });
    const b = new SilverFeatureBuilder(lake.root, { pipeline: await fixturePipeline() });
    await b.buildFeatureSet(mechanicsOnlyManifest(), [FIXTURE_DATE]);
    mkdirSync(join(b.featuresDir, ".staging"), { recursive: true });
    renameSync(b.versionDir("v1.0_mechanics_only"), join(b.featuresDir, ".staging", "v1.0_mechanics_only.old-123-x"));
    expect(b.listVersions()).toEqual([]);
    const r = await b.buildFeatureSet(mechanicsOnlyManifest(), [FIXTURE_DATE]);
    expect(r.status).toBe("skipped"); // restored first, so it exists again
    expect((await b.loadFeatures("v1.0_mechanics_only")).numRows).toBe(107);
  });

  test("a second concurrent build of the same version is refused, not raced", async () => {
    using lake = tempLake({ bronze: true });
    const inner = await fixturePipeline();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = new SilverFeatureBuilder(lake.root, { pipeline: async (a) => (await gate, inner(a)) });
    const first = slow.buildFeatureSet(mechanicsOnlyManifest(), [FIXTURE_DATE]);
    await Bun.sleep(50);
    const other = new SilverFeatureBuilder(lake.root, { pipeline: inner });
    await expect(other.buildFeatureSet(mechanicsOnlyManifest(), [FIXTURE_DATE], { force: true })).rejects.toThrow(/another build of v1.0_mechanics_only is running/);
    release();
    expect((await first).status).toBe("success");
    expect((await other.buildFeatureSet(mechanicsOnlyManifest(), [FIXTURE_DATE], { force: true })).status).toBe("success");
  });
});
