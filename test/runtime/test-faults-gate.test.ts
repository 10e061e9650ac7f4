/**
 * LAKE_TEST_FAULTS: the only switch for test hooks. Parsed strictly (a typo is an error, not
 * a silently disabled fault), inert when unset, and reported by `lake doctor` when set.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/errors";
import { parseTestFaults, seededRandom } from "../../src/core/test-faults";

const MAIN = join(import.meta.dir, "../../src/main.ts");
const cwd = mkdtempSync(join(tmpdir(), "lake-faults-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

async function doctor(faults: string | undefined) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(DATA_ROOT|USE_S3|S3_|NATS_URL|LAKE_)/.test(k)) env[k] = v;
  if (faults !== undefined) env.LAKE_TEST_FAULTS = faults;
  const proc = Bun.spawn([process.execPath, MAIN, "doctor", "--json"], { cwd, env, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [stdout, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  const report = JSON.parse(stdout) as { checks: { check: string; ok: boolean; detail: string }[] };
  return { code, hooks: report.checks.find((c) => c.check === "test hooks")! };
}

describe("LAKE_TEST_FAULTS", () => {
  test("unset or empty: no hook is on", () => {
    for (const raw of [undefined, "", "  "]) expect(parseTestFaults(raw)).toEqual({ raw: null, workerTasks: false, ingestKill: null, seed: null, compactKill: null, switchKill: null, publishKill: null });
  });

  test("parses worker-tasks, ingest-kill=<point>@<p>, compact-kill=<step>#n, switch-kill=<step>#n and seed", () => {
    expect(parseTestFaults("worker-tasks")).toMatchObject({ workerTasks: true, ingestKill: null });
    expect(parseTestFaults("ingest-kill=after-file@0.15, seed=42")).toEqual({
      raw: "ingest-kill=after-file@0.15, seed=42",
      workerTasks: false,
      ingestKill: { point: "after-file", probability: 0.15 },
      seed: 42,
      compactKill: null,
      switchKill: null,
      publishKill: null,
    });
    expect(parseTestFaults("ingest-kill=any").ingestKill).toEqual({ point: "any", probability: 0.05 });
    expect(parseTestFaults("compact-kill=after-record#3").compactKill).toEqual({ step: "after-record", at: 3 });
    expect(parseTestFaults("compact-kill=after-merge").compactKill).toEqual({ step: "after-merge", at: 1 });
    expect(parseTestFaults("switch-kill=after-output#5").switchKill).toEqual({ step: "after-output", at: 5 });
    expect(parseTestFaults("publish-kill=3").publishKill).toEqual({ at: 3 });
  });

  test("a typo or a bad value is an error naming the token", () => {
    for (const bad of ["worker-task", "ingest-kill=after-flush@0.1", "ingest-kill=any@0", "ingest-kill=any@2", "seed=-1", "seed", "ingest-kill", "compact-kill=after-lunch", "compact-kill=after-record#0", "switch-kill=after-record", "switch-kill=after-commit#x"]) {
      expect(() => parseTestFaults(bad)).toThrow(ConfigError);
      expect(() => parseTestFaults(bad)).toThrow(bad.split(",")[0]!);
    }
  });

  test("seeded draws repeat for the same seed and differ for another", () => {
    const draw = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(7).every((x) => x >= 0 && x < 1)).toBe(true);
  });

  test("`lake doctor` fails its test-hooks check while the variable is set, passes it when unset", async () => {
    const on = await doctor("worker-tasks");
    expect(on.code).toBe(1);
    expect(on.hooks.ok).toBe(false);
    expect(on.hooks.detail).toContain("LAKE_TEST_FAULTS=worker-tasks is set");
    const off = await doctor(undefined);
    expect(off.hooks).toEqual({ check: "test hooks", ok: true, detail: "off (LAKE_TEST_FAULTS unset)" });
  }, 60_000);
});
