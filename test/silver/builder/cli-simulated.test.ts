import { describe, expect, test } from "bun:test";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lake, simulatedLake } from "./sim-lake";

describe("`lake silver` over a simulated 3-day lake (real pipeline, shared worker pool)", () => {
  test("build, list, show, compare, status, verify, experiments — exit codes and --json", async () => {
    await using_(await simulatedLake(3), async (sim) => {
      const root = ["--data-root", sim.root];
      const build = await lake(["silver", ...root, "--workers", "2", "--json"]);
      expect(build.code).toBe(0);
      const r = JSON.parse(build.out);
      expect(r.status).toBe("success");
      expect(r.version).toBe("es_pipeline");
      expect(r.dates_processed).toBe(3);
      expect(r.signals_total).toBeGreaterThan(0);
      expect(r.dates.map((d: { date: string }) => d.date)).toEqual(sim.dates);
      expect(r.signals_total).toBe(r.dates.reduce((s: number, d: { rows: number }) => s + d.rows, 0));

      const again = await lake(["silver", ...root]);
      expect(again.code).toBe(0);
      expect(again.out).toContain("SKIPPED: es_pipeline");

      const v1 = await lake(["silver", "build", ...root, "--version", "v1.0_mechanics_only", "--dates", sim.dates.slice(1).join(","), "--workers", "1"]);
      expect(v1.code).toBe(0);
      expect(v1.err).toContain("2/2 dates"); // plain progress lines when not a TTY
      const list = JSON.parse((await lake(["silver", "list", ...root, "--json"])).out);
      expect(list.map((x: { version: string }) => x.version)).toEqual(["es_pipeline", "v1.0_mechanics_only"]);
      expect(list[0].signal_count).toBe(r.signals_total);

      const show = await lake(["silver", "show", "v1.0_mechanics_only", ...root]);
      expect(show.out).toContain("v1.0_mechanics_only — Pure physics-based features");
      const cmp = JSON.parse((await lake(["silver", "compare", "v1.0_mechanics_only", "es_pipeline", ...root, "--json"])).out);
      expect(cmp.feature_count_b).toBe(108);
      expect(cmp.features_added).toEqual([...cmp.features_added].sort());

      expect((await lake(["silver", "verify", "es_pipeline", ...root, "--workers", "2"])).code).toBe(0);
      // v1 lacks the first Bronze date: status says so (exit 1), `lake silver` builds just that date
      const incomplete = await lake(["silver", "status", ...root, "--json"]);
      expect(incomplete.code).toBe(1);
      expect(JSON.parse(incomplete.out).map((s: { state: string; missing_dates: string[] }) => [s.state, s.missing_dates])).toEqual([["fresh", []], ["incomplete", [sim.dates[0]]]]);
      const add = await lake(["silver", ...root, "--version", "v1.0_mechanics_only", "--workers", "1"]);
      expect(add.code).toBe(0);
      expect(add.out).toContain(`built 1 date(s) (${sim.dates[0]}), kept 2 already built`);
      const fresh = await lake(["silver", "status", ...root, "--json"]);
      expect(fresh.code).toBe(0);
      expect(JSON.parse(fresh.out).map((s: { state: string }) => s.state)).toEqual(["fresh", "fresh"]);

      // Bronze changes under the build: stale, exit 1
      const hourDir = join(sim.root, `bronze/options/trades/underlying=ES/date=${sim.dates[2]}`);
      const hour = readdirSync(hourDir)[0]!;
      const file = readdirSync(join(hourDir, hour))[0]!;
      writeFileSync(join(hourDir, hour, file), new Uint8Array(await Bun.file(join(hourDir, hour, file)).arrayBuffer()).reverse());
      const stale = await lake(["silver", "status", ...root]);
      expect(stale.code).toBe(1);
      expect(stale.out).toMatch(/es_pipeline\s+stale/);

      // experiments
      expect((await lake(["silver", "experiments", "add", "es_pipeline", "exp1", "--metrics", "auc=0.7", ...root])).code).toBe(0);
      const dup = await lake(["silver", "experiments", "add", "es_pipeline", "exp1", ...root]);
      expect(dup.code).toBe(1);
      expect(dup.err).toContain('experiment "exp1" already exists');
      const exps = JSON.parse((await lake(["silver", "experiments", ...root, "--json"])).out);
      expect(exps.map((e: { id: string; metrics: unknown }) => [e.id, e.metrics])).toEqual([["exp1", { auc: 0.7 }]]);

      // usage errors exit 2; a failing date makes the build partial (exit 3)
      expect((await lake(["silver", ...root, "--version", "../x"])).code).toBe(2);
      expect((await lake(["silver", ...root, "--dates", "2026-02-30"])).code).toBe(2);
      const mbpDir = join(sim.root, `bronze/futures/mbp10/symbol=ES/date=${sim.dates[0]}`);
      const mh = readdirSync(mbpDir)[0]!;
      writeFileSync(join(mbpDir, mh, readdirSync(join(mbpDir, mh))[0]!), "not parquet");
      const partial = await lake(["silver", ...root, "--force", "--workers", "2"]);
      expect(partial.code).toBe(3);
      expect(partial.out).toContain(`PARTIAL: es_pipeline`);
      expect(partial.out).toContain(`Error processing ${sim.dates[0]}`);
    });
  }, 120_000);
});

async function using_<T extends Disposable>(r: T, fn: (r: T) => Promise<void>): Promise<void> {
  try {
    await fn(r);
  } finally {
    r[Symbol.dispose]();
  }
}
