import { describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SilverFeatureBuilder } from "../../../src/silver/builder";
import { mechanicsOnlyManifest } from "../../../src/silver/baselines";
import type { PipelineFn } from "../../../src/silver/build-date";
import { FIXTURE_DATE, fixturePipeline, tempLake } from "./fixture-lake";

const DATES = ["2026-01-09", "2026-01-12", "2026-01-13", FIXTURE_DATE];
const VERSION = "v1.0_mechanics_only";

/** The fixture pipeline, recording which dates it was asked to build. */
async function countingPipeline(rows = (d: string) => (d === FIXTURE_DATE ? 107 : 5)): Promise<{ pipeline: PipelineFn; ran: string[] }> {
  const inner = await fixturePipeline(rows);
  const ran: string[] = [];
  return { ran, pipeline: async (a) => (ran.push(a.date), inner(a)) };
}

describe("incremental and resumable Silver builds", () => {
  test("without --force an existing version gains only the dates it is missing; its other dates are carried over", async () => {
    using lake = tempLake({ bronze: true, bookDates: DATES.slice(0, 3) });
    const first = await countingPipeline();
    const b1 = new SilverFeatureBuilder(lake.root, { pipeline: first.pipeline });
    await b1.buildFeatureSet(mechanicsOnlyManifest(), [FIXTURE_DATE]);
    const fixtureFile = join(b1.versionDir(VERSION), `date=${FIXTURE_DATE}/features_${FIXTURE_DATE}.parquet`);
    const inodeBefore = statSync(fixtureFile).ino;

    const second = await countingPipeline();
    const b2 = new SilverFeatureBuilder(lake.root, { pipeline: second.pipeline });
    const r = await b2.buildFeatureSet(mechanicsOnlyManifest(), DATES);
    expect(r.status).toBe("success");
    expect(second.ran.sort()).toEqual(DATES.slice(0, 3));
    expect(r.dates_built).toEqual(DATES.slice(0, 3));
    expect(r.dates_reused).toEqual([FIXTURE_DATE]);
    expect(statSync(fixtureFile).ino).toBe(inodeBefore); // a hard link, not a rebuild
    expect((await b2.loadFeatures(VERSION)).numRows).toBe(107 + 3 * 5);
    const m = b2.getManifest(VERSION)!;
    expect(m.validation!.signal_count).toBe(122);
    expect(m.validation!.date_range).toEqual({ start: DATES[0], end: FIXTURE_DATE });

    // nothing missing: skipped, nothing run, the message names the flag
    const third = await countingPipeline();
    const skipped = await new SilverFeatureBuilder(lake.root, { pipeline: third.pipeline }).buildFeatureSet(mechanicsOnlyManifest(), DATES);
    expect(skipped.status).toBe("skipped");
    expect(skipped.reason).toContain("--force");
    expect(skipped.reason).not.toContain("force=True");
    expect(third.ran).toEqual([]);

    // --force rebuilds everything
    const forced = await new SilverFeatureBuilder(lake.root, { pipeline: third.pipeline }).buildFeatureSet(mechanicsOnlyManifest(), DATES, { force: true });
    expect(forced.dates_built).toEqual(DATES);
    expect(third.ran.sort()).toEqual(DATES);
    expect(readdirSync(join(lake.root, "silver/features/.staging")).filter((n) => !n.endsWith(".lock"))).toEqual([]);
  });

  test("another variant on an existing version is refused without --force", async () => {
    using lake = tempLake({ bronze: true });
    const b = new SilverFeatureBuilder(lake.root, { pipeline: await fixturePipeline() });
    await b.buildFeatureSet(mechanicsOnlyManifest(), [FIXTURE_DATE]);
    await expect(b.buildFeatureSet(mechanicsOnlyManifest(), DATES, { variant: "corrected" })).rejects.toThrow(/run with --force/);
  });

  test("a build killed midway resumes: finished dates are reused unless their inputs changed; stale staging is removed", async () => {
    using lake = tempLake({ bronze: true, bookDates: DATES.slice(0, 3) });
    const featuresDir = join(lake.root, "silver/features");
    // staging of an older build key (e.g. before a pipeline upgrade): useless, must go
    const stale = join(featuresDir, ".staging", `${VERSION}.build-0000000000000000`);
    mkdirSync(join(stale, "date=2026-01-09"), { recursive: true });
    writeFileSync(join(stale, "date=2026-01-09/features_2026-01-09.parquet"), "old");

    const script = `
      import { SilverFeatureBuilder } from "${join(import.meta.dir, "../../../src/silver/builder")}";
      import { mechanicsOnlyManifest } from "${join(import.meta.dir, "../../../src/silver/baselines")}";
      import { fixturePipeline } from "${join(import.meta.dir, "fixture-lake")}";
      const inner = await fixturePipeline((d) => (d === "${FIXTURE_DATE}" ? 107 : 5));
      const b = new SilverFeatureBuilder(${JSON.stringify(lake.root)}, { pipeline: async (a) => { if (a.date === "${FIXTURE_DATE}") await Bun.sleep(60_000); return inner(a); } });
      await b.buildFeatureSet(mechanicsOnlyManifest(), ${JSON.stringify(DATES)});
      console.log("finished");`;
    const child = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
    const staging = join(featuresDir, ".staging");
    const records = () => (existsSync(staging) ? readdirSync(staging).filter((n) => n.includes(".build-") && !n.endsWith(".lock")).flatMap((n) => (existsSync(join(staging, n, ".dates")) ? readdirSync(join(staging, n, ".dates")).filter((f) => f.endsWith(".json")) : [])) : []);
    const deadline = Date.now() + 60_000;
    while (records().length < 3 && Date.now() < deadline) await Bun.sleep(20);
    expect(records().sort()).toEqual(DATES.slice(0, 3).map((d) => `${d}.json`));
    expect(existsSync(stale)).toBe(false);
    child.kill(9);
    await child.exited;
    expect(await new Response(child.stdout).text()).not.toContain("finished");
    expect(existsSync(join(featuresDir, VERSION))).toBe(false);

    // a late file for 2026-01-12 changes its inputs (and those of the dates it warms up)
    const hourDir = join(lake.root, "bronze/futures/trades/symbol=ES/date=2026-01-12");
    const hour = readdirSync(hourDir)[0]!;
    copyFileSync(join(hourDir, hour, readdirSync(join(hourDir, hour))[0]!), join(hourDir, hour, "part-late.parquet"));

    const again = await countingPipeline();
    const r = await new SilverFeatureBuilder(lake.root, { pipeline: again.pipeline }).buildFeatureSet(mechanicsOnlyManifest(), DATES);
    expect(r.status).toBe("success");
    // 01-09 is untouched; 01-12 changed; 01-13 reads 01-12 as warm-up; 01-14 never finished
    expect(r.dates_reused).toEqual(["2026-01-09"]);
    expect(again.ran.sort()).toEqual(DATES.slice(1));
    expect((await new SilverFeatureBuilder(lake.root).loadFeatures(VERSION)).numRows).toBe(107 + 3 * 5);
    expect(readdirSync(staging).filter((n) => !n.endsWith(".lock"))).toEqual([]);
  });
});
