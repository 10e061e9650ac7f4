import { describe, expect, test } from "bun:test";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { bronzeWarmupDates, dateLineage, localBronze } from "../../../src/silver/lineage";
import { readerInput } from "../../../src/silver/pipeline/bronze-input";
import { warmupDates as pipelineWarmupDates } from "../../../src/core/time/warmup";
import { FIXTURE_DATE, tempLake } from "./fixture-lake";

// Lineage must hash exactly the Bronze files the pipeline reads (es-pipeline §5.3 step 2),
// so both pick warm-up days with one function over the same listing.
describe("lineage warm-up days are the pipeline's", () => {
  test("same days as the pipeline's Bronze listing; an empty date directory is not a trade date", async () => {
    using lake = tempLake({ bronze: true });
    const trades = join(lake.root, "bronze/futures/trades/symbol=ES");
    // a warm-up weekday whose files are gone but whose directory is left behind
    rmSync(join(trades, "date=2026-01-12"), { recursive: true });
    mkdirSync(join(trades, "date=2026-01-12"));
    const listed = await readerInput(lake.root).tradeDates();
    expect(listed).not.toContain("2026-01-12");
    const expected = pipelineWarmupDates(listed, FIXTURE_DATE, 3);
    expect(await bronzeWarmupDates(localBronze(lake.root), FIXTURE_DATE, 3)).toEqual(expected);
    expect(expected).toEqual(["2026-01-09", "2026-01-13"]);
    const lin = await dateLineage(localBronze(lake.root), FIXTURE_DATE, 3);
    expect(lin.warmup_dates).toEqual(expected);
    const hashedDates = [...new Set(lin.files.filter((f) => f.key.startsWith("bronze/futures/trades/")).map((f) => /date=([\d-]+)/.exec(f.key)![1]!))];
    expect(hashedDates).toEqual([...expected, FIXTURE_DATE]);
  });
});
