/**
 * `lake simulate --overwrite` replaces a day through one switch record: SIGKILL at each step of
 * its protocol leaves every lake reader (BronzeReader, the DuckDB views) exactly one seed's
 * day — the old one before the commit, the new one after — and a re-run, or `lake compact`,
 * converges on the new day with nothing left over. A reader polling during a whole run never
 * sees anything else either.
 */
import { beforeAll, afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { BronzeReader } from "../../src/read/bronze-reader";
import { LakeFiles } from "../../src/read/lake-files";
import { localStore, s3Store } from "../../src/storage";
import { startS3rver } from "../../testkit/s3";
import { cleanEnv, lakeBinary } from "../../testkit/lake-binary";
import { copyLake, DAY, rowMultiset, tempDir, type TempDir } from "./helpers";

type View = Record<string, { rows: number; hash: string }>;

let work: TempDir;
let seed1: { duck: View; reader: View };
let seed2: { duck: View; reader: View };

interface Run {
  code: number | null;
  signal: string | null;
  stderr: string;
}

function spawnLake(args: string[], env: Record<string, string> = {}) {
  return lakeBinary().then((bin) => Bun.spawn([bin, ...args], { env: cleanEnv(env), stdout: "pipe", stderr: "pipe", stdin: "ignore" }));
}

async function finish(p: Awaited<ReturnType<typeof spawnLake>>): Promise<Run> {
  const [, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  await p.exited;
  return { code: p.exitCode, signal: p.signalCode ? String(p.signalCode) : null, stderr };
}

const simulate = (root: string, seed: number, extra: string[], env: Record<string, string> = {}) =>
  spawnLake(["simulate", "--to", "bronze", "--date", DAY, "--scale", "light", "--seed", String(seed), "--data-root", root, "--quiet", ...extra], env).then(finish);

/** What BronzeReader returns for the day, per table: rows and a hash of the timestamps. */
async function readerView(root: string): Promise<View> {
  const r = new BronzeReader(root);
  const frames = {
    trades: await r.readFuturesTrades("ES", { date: DAY, frontMonthOnly: false }),
    mbp10: await r.readFuturesMbp10("ES", { date: DAY, frontMonthOnly: false }),
    options: await r.readOptionTrades("ES", { date: DAY }),
  };
  const out: View = {};
  for (const [name, f] of Object.entries(frames)) out[name] = { rows: f.numRows, hash: String(Bun.hash(f.values<BigInt64Array>("ts_event_ns"))) };
  return out;
}

const views = async (root: string) => ({ duck: await rowMultiset(root), reader: await readerView(root) });

/** The lake at rest after a finished switch: every Parquet object live, no switch or lock left. */
async function expectClean(root: string): Promise<void> {
  const store = localStore(root);
  const parquet = (await store.list("bronze/")).filter((o) => o.key.endsWith(".parquet"));
  expect(parquet.length).toBe((await new LakeFiles(root).listParquet("bronze/")).length);
  expect(parquet.every((o) => !o.key.includes("-sim1-"))).toBe(true);
  expect((await store.list("_compact/")).map((o) => o.key)).toEqual([]);
}

beforeAll(async () => {
  await lakeBinary();
  work = tempDir("lake-sim-overwrite-");
  const [one, two] = [join(work.path, "seed1"), join(work.path, "seed2")];
  expect((await simulate(one, 1, [])).code).toBe(0);
  expect((await simulate(two, 2, [])).code).toBe(0);
  seed1 = await views(one);
  seed2 = await views(two);
  expect(seed2.duck).not.toEqual(seed1.duck);
  expect(seed2.reader.trades).not.toEqual(seed1.reader.trades);
});
afterAll(() => work?.[Symbol.dispose]());

describe("lake simulate --overwrite is atomic for every lake reader", () => {
  const cases: [string, "seed 1" | "seed 2"][] = [
    ["after-output#1", "seed 1"],
    ["after-output#20", "seed 1"],
    ["after-commit", "seed 2"],
    ["after-hour-record#7", "seed 2"],
    ["after-delete#12", "seed 2"],
  ];
  for (const [step, seen] of cases) {
    test(`SIGKILL ${step}: readers see ${seen} exactly; a re-run converges on seed 2`, async () => {
      using dir = tempDir("lake-sim-overwrite-");
      const root = join(dir.path, "lake");
      copyLake(join(work.path, "seed1"), root);
      const killed = await simulate(root, 2, ["--overwrite"], { LAKE_TEST_FAULTS: `switch-kill=${step}` });
      expect(killed.signal).toBe("SIGKILL");
      expect(await views(root)).toEqual(seen === "seed 1" ? seed1 : seed2);

      const again = await simulate(root, 2, ["--overwrite"]);
      expect(again.stderr).toBe("");
      expect(again.code).toBe(0);
      expect(await views(root)).toEqual(seed2);
      await expectClean(root);
      // the same seed again without --overwrite is refused, not duplicated
      const same = await simulate(root, 2, []);
      expect(same.code).toBe(1);
      expect(same.stderr).toContain("already holds seed 2");
    });
  }

  test("SIGKILL after the commit, then lake compact: it finishes the switch", async () => {
    using dir = tempDir("lake-sim-overwrite-");
    const root = join(dir.path, "lake");
    copyLake(join(work.path, "seed1"), root);
    expect((await simulate(root, 2, ["--overwrite"], { LAKE_TEST_FAULTS: "switch-kill=after-hour-record#3" })).signal).toBe("SIGKILL");
    const compact = await spawnLake(["compact", "--grace", "0", "--data-root", root], { LAKE_LOG_LEVEL: "warn" }).then(finish);
    expect(compact.stderr).toBe("");
    expect(compact.code).toBe(0);
    expect(await views(root)).toEqual(seed2);
    await expectClean(root);
  });

  test("on S3 the same: the overwritten day is seed 2's alone, nothing left over", async () => {
    await using s3 = await startS3rver();
    const env = s3.env("lake");
    const run = (seed: number, extra: string[]) =>
      spawnLake(["simulate", "--to", "bronze", "--date", DAY, "--scale", "light", "--seed", String(seed), "--quiet", ...extra], env).then(finish);
    expect((await run(1, [])).code).toBe(0);
    const replaced = await run(2, ["--overwrite"]);
    expect(replaced.stderr).toBe("");
    expect(replaced.code).toBe(0);
    const store = s3Store({ ...s3.s3Settings, prefix: "lake" });
    expect(await rowMultiset(store)).toEqual(seed2.duck);
    expect((await store.list("bronze/")).some((o) => o.key.includes("-sim1-"))).toBe(false);
    expect(await store.list("_compact/")).toEqual([]);
  });

  test("a reader polling during a whole run sees seed 1 or seed 2 in each table, never a mix", async () => {
    using dir = tempDir("lake-sim-overwrite-");
    const root = join(dir.path, "lake");
    copyLake(join(work.path, "seed1"), root);
    const p = await spawnLake(["simulate", "--to", "bronze", "--date", DAY, "--scale", "light", "--seed", "2", "--overwrite", "--data-root", root, "--quiet"]);
    const done = finish(p);
    let running = true;
    void done.then(() => (running = false));
    let samples = 0;
    while (running) {
      const duck = await rowMultiset(root);
      // one listing per table: each table is one seed; tables listed either side of the
      // commit may differ from each other
      for (const [t, v] of Object.entries(duck)) expect([seed1.duck[t], seed2.duck[t]]).toContainEqual(v);
      samples++;
    }
    const r = await done;
    expect(r.code).toBe(0);
    expect(samples).toBeGreaterThan(0);
    expect(await views(root)).toEqual(seed2);
    await expectClean(root);
  });
});
