/**
 * SIGKILL `lake compact` at each step of its protocol (injected) and at random moments:
 * after every kill the lake's row multiset per table is exactly what it was, and a re-run
 * finishes the compaction (one file per table-hour, no uncommitted outputs left).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { LakeFiles } from "../../src/read/lake-files";
import { localStore } from "../../src/storage";
import { copyLake, realtimeDay, rowMultiset, runCompact, spawnCompact, tempDir, type TempDir } from "./helpers";

let base: TempDir;
let before: Awaited<ReturnType<typeof rowMultiset>>;
let baseFiles = 0;

beforeAll(async () => {
  base = tempDir();
  const r = await realtimeDay(localStore(join(base.path, "lake")));
  baseFiles = r.files;
  before = await rowMultiset(join(base.path, "lake"));
});
afterAll(() => base?.[Symbol.dispose]());

/** After a complete run: each hour is one live file, and nothing else is left beside it. */
async function expectFullyCompacted(root: string): Promise<void> {
  const store = localStore(root);
  const all = (await store.list("bronze/")).map((o) => o.key);
  const live = await new LakeFiles(root).listParquet("bronze/");
  const hours = new Set(live.map((f) => f.key.slice(0, f.key.lastIndexOf("/"))));
  expect(live.length).toBe(hours.size);
  // only live outputs and their records remain: no inputs, no orphans
  expect(all.filter((k) => k.endsWith(".parquet")).length).toBe(live.length);
  expect(all.filter((k) => !k.endsWith(".parquet")).every((k) => /\/compact-[^/]+\.json$/.test(k))).toBe(true);
  expect(await store.exists("_compact/lock.json")).toBe(false);
}

describe("SIGKILL at each injected step of the protocol", () => {
  const cases: [string, number][] = [
    ["after-merge", 1],
    ["after-output", 1],
    ["after-output", 4],
    ["after-record", 1],
    ["after-record", 5],
    ["after-delete", 1],
    ["after-delete", 40],
  ];
  for (const [step, at] of cases) {
    test(`${step} (#${at})`, async () => {
      expect(baseFiles).toBeGreaterThan(200);
      using dir = tempDir();
      const root = join(dir.path, "lake");
      copyLake(join(base.path, "lake"), root);
      const killed = await runCompact(["--data-root", root], { LAKE_TEST_FAULTS: `compact-kill=${step}#${at}` });
      expect(killed.signal).toBe("SIGKILL");
      expect(await rowMultiset(root)).toEqual(before);
      const again = await runCompact(["--data-root", root]);
      expect(again.stderr).toBe("");
      expect(again.code).toBe(0);
      if (step === "after-record" || step === "after-delete") expect(again.stdout).toContain("finished an interrupted run");
      expect(await rowMultiset(root)).toEqual(before);
      await expectFullyCompacted(root);
    });
  }
});

test("SIGKILL at random moments, 12 times in a row, then a run that completes", async () => {
  using dir = tempDir();
  const root = join(dir.path, "lake");
  copyLake(join(base.path, "lake"), root);
  let killedMidRun = 0;
  for (let i = 0; i < 12; i++) {
    const p = spawnCompact(["--data-root", root]);
    await Bun.sleep(300 + Math.floor(Math.random() * 1500));
    if (p.exitCode === null) killedMidRun++;
    p.kill("SIGKILL");
    await p.exited;
    expect(await rowMultiset(root)).toEqual(before);
  }
  const done = await runCompact(["--data-root", root]);
  expect(done.code).toBe(0);
  expect(await rowMultiset(root)).toEqual(before);
  await expectFullyCompacted(root);
  expect(killedMidRun).toBeGreaterThan(0);
});
