/**
 * `lake bronze dedupe` commits through the compaction record: SIGKILL at each step of its
 * protocol leaves every lake reader either the lake as it was (duplicates and all) or the
 * deduplicated lake — never the old files and the new one together — and a re-run of dedupe
 * and then `lake compact` finish the job.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { LakeFiles } from "../../src/read/lake-files";
import { localStore } from "../../src/storage";
import { copyLake, DAY, realtimeDay, ROOT, rowMultiset, runCompact, tempDir, type TempDir, type CompactRun } from "./helpers";

let base: TempDir;
let clean: Awaited<ReturnType<typeof rowMultiset>>;
let withDuplicates: Awaited<ReturnType<typeof rowMultiset>>;

async function runDedupe(root: string, env: Record<string, string> = {}): Promise<CompactRun> {
  const p = Bun.spawn([process.execPath, "run", join(ROOT, "src/main.ts"), "bronze", "dedupe", "--dates", DAY, "--data-root", root], {
    cwd: ROOT,
    env: { ...process.env, LAKE_LOG_LEVEL: "warn", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  await p.exited;
  return { code: p.exitCode, signal: p.signalCode ? String(p.signalCode) : null, stdout, stderr };
}

beforeAll(async () => {
  base = tempDir("lake-dedupe-");
  const root = join(base.path, "lake");
  await realtimeDay(localStore(root));
  clean = await rowMultiset(root);
  // one hour of trades delivered twice (a file copied beside itself): a kill mid-protocol
  // leaves that hour either before or after
  const day = join(root, `bronze/futures/trades/symbol=ES/date=${DAY}`);
  for (const hour of readdirSync(day).sort().slice(2, 3)) {
    const file = readdirSync(join(day, hour)).filter((n) => n.endsWith(".parquet")).sort()[0]!;
    copyFileSync(join(day, hour, file), join(day, hour, file.replace(".parquet", "-again.parquet")));
  }
  withDuplicates = await rowMultiset(root);
  expect(withDuplicates.bronze_futures_trades!.rows).toBeGreaterThan(clean.bronze_futures_trades!.rows);
});
afterAll(() => base?.[Symbol.dispose]());

describe("bronze dedupe is atomic for every lake reader", () => {
  test("a complete run: the record commits the swap, compact later finds nothing to undo", async () => {
    using dir = tempDir("lake-dedupe-");
    const root = join(dir.path, "lake");
    copyLake(join(base.path, "lake"), root);
    const done = await runDedupe(root);
    expect(done.stderr).toBe("");
    expect(done.code).toBe(0);
    expect(await rowMultiset(root)).toEqual(clean);
    const all = (await localStore(root).list("bronze/futures/trades/")).map((o) => o.key);
    expect(all.filter((k) => /\/compact-[^/]+\.json$/.test(k))).toHaveLength(1);
    expect(all.some((k) => k.endsWith("-again.parquet"))).toBe(false);
    expect(await localStore(root).exists("_compact/lock.json")).toBe(false);
  });

  const cases: [string, "before" | "after"][] = [
    ["after-output", "before"],
    ["after-record", "after"],
    ["after-delete", "after"],
  ];
  for (const [step, seen] of cases) {
    test(`SIGKILL ${step}: readers see the lake ${seen} the dedupe, never both`, async () => {
      using dir = tempDir("lake-dedupe-");
      const root = join(dir.path, "lake");
      copyLake(join(base.path, "lake"), root);
      const killed = await runDedupe(root, { LAKE_TEST_FAULTS: `compact-kill=${step}#1` });
      expect(killed.signal).toBe("SIGKILL");
      expect(await rowMultiset(root)).toEqual(seen === "before" ? withDuplicates : clean);
      // the hour that was being rewritten: its live files are either all inputs or the output only
      const live = (await new LakeFiles(root).listParquet("bronze/futures/trades/")).map((f) => f.key);
      const outputs = live.filter((k) => /\/compact-[^/]+\.parquet$/.test(k));
      expect(outputs.length).toBe(seen === "before" ? 0 : 1);

      const again = await runDedupe(root);
      expect(again.stderr).toBe("");
      expect(again.code).toBe(0);
      expect(await rowMultiset(root)).toEqual(clean);
      const compact = await runCompact(["--data-root", root]);
      expect(compact.code).toBe(0);
      expect(await rowMultiset(root)).toEqual(clean);
      const store = localStore(root);
      const parquet = (await store.list("bronze/")).filter((o) => o.key.endsWith(".parquet")).map((o) => o.key);
      expect(parquet.length).toBe((await new LakeFiles(root).listParquet("bronze/")).length);
    });
  }
});
