/**
 * bun run bench:silver — wall time and peak RSS of `lake silver --force` over a
 * simulated 5-day normal-scale lake, with 1 and 2 workers on the shared WorkerPool.
 *
 * Anchor, measured in the same run: the plain pipeline (runPipeline in-process, no encode,
 * no write, no lineage hashing) on one of the same days — warm, median of 5. The ratio
 * "per-day silver time / plain pipeline day" shows the builder's overhead (×1 workers) and
 * the parallel speed-up (×2 workers). Each configuration runs 3× interleaved; the median is shown.
 *
 * Uses ./lake when it is built and has the silver command, else `bun src/main.ts` (printed).
 * The simulated lake is cached in $TMPDIR/lake-bench-silver-<scale>-<days>d (deterministic seed).
 *
 * Options: --days N (default 5), --scale light|normal (default normal), --source (force bun src/main.ts),
 * --bin PATH (another compiled binary, e.g. one built with `bun run build --outfile PATH`),
 * --s3: also build with the same Bronze in S3 (a private s3rver; Silver in a local root), cold
 * and warm read cache, next to the local 2-worker run.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateDay, tradingDates } from "../src/sim/day";
import { writeBronzeDay } from "../src/sim/bronze";
import { localStore } from "../src/storage";
import { runPipeline } from "../src/silver/pipeline/run";
import { median, numberFlag } from "./lib/args";

const argv = process.argv.slice(2);
const opt = (k: string, d: string) => (argv.includes(k) ? argv[argv.indexOf(k) + 1]! : d);
const DAYS = numberFlag("days", 5);
const SCALE = opt("--scale", "normal") as "light" | "normal";
const ROOT_DIR = join(import.meta.dir, "..");

async function lakeCommand(): Promise<{ cmd: string[]; label: string }> {
  const bin = argv.includes("--bin") ? opt("--bin", "") : join(ROOT_DIR, "lake");
  if (!argv.includes("--source") && existsSync(bin)) {
    const p = Bun.spawn([bin, "silver", "--help"], { stdout: "ignore", stderr: "ignore" });
    if ((await p.exited) === 0) return { cmd: [bin], label: `${bin} (compiled)` };
  }
  return { cmd: [process.execPath, join(ROOT_DIR, "src/main.ts")], label: "bun src/main.ts (source)" };
}

async function simulatedLake(): Promise<{ root: string; dates: string[] }> {
  const root = join(tmpdir(), `lake-bench-silver-${SCALE}-${DAYS}d`);
  const dates = tradingDates("2026-03-02", DAYS);
  const done = join(root, ".complete");
  if (!existsSync(done)) {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    const store = localStore(root);
    for (const date of dates) {
      const t = performance.now();
      const day = generateDay({ date, seed: 42, scale: SCALE, signals: false });
      await writeBronzeDay(store, day);
      console.log(`simulated ${date}: ${day.trades.numRows} trades, ${day.mbp10.numRows} MBP-10, ${day.options.numRows} options (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    }
    await Bun.write(done, new Date().toISOString());
  }
  return { root, dates };
}

async function runSilver(cmd: string[], root: string, workers: number, env?: Record<string, string>) {
  const t = performance.now();
  const where = env ? [] : ["--data-root", root];
  const p = Bun.spawn([...cmd, "silver", ...where, "--force", "--workers", String(workers), "--json"], { stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  const wall = (performance.now() - t) / 1000;
  if (code !== 0) throw new Error(`lake silver exited ${code}: ${err.slice(-2000)}`);
  const r = JSON.parse(out) as { signals_total: number; dates_processed: number };
  const ru = p.resourceUsage()!;
  return { wall, cpu: Number(ru.cpuTime.total) / 1e6, rssMb: ru.maxRSS / 1024 / 1024, rows: r.signals_total, dates: r.dates_processed };
}

const { root, dates } = await simulatedLake();
const { cmd, label } = await lakeCommand();
console.log(`\nlake: ${label}; lake root ${root}; ${dates.length} ${SCALE} days ${dates[0]}..${dates[dates.length - 1]}`);

// anchor: plain pipeline on the last day (it has the full 3-day warm-up), warm median of 5
const anchorDate = dates[dates.length - 1]!;
await runPipeline({ date: anchorDate, dataRoot: root, variant: "reference" });
const plain: number[] = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  await runPipeline({ date: anchorDate, dataRoot: root, variant: "reference" });
  plain.push((performance.now() - t) / 1000);
}
const plainDay = median(plain);
console.log(`anchor: plain runPipeline ${anchorDate} (in-process, warm median of 5): ${plainDay.toFixed(2)} s/day\n`);

// the box is shared: report CPU seconds too (wall time depends on what else runs), and the load
console.log(`load average before: ${(await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3).join(" ")}`);
console.log("workers  wall s  per-day s  CPU s  peak RSS MB  rows   dates  per-day / plain pipeline day");
// each configuration 3×, interleaved (1,2,1,2,1,2) so a burst of load hits both; median by wall time
const runs: Record<number, Awaited<ReturnType<typeof runSilver>>[]> = { 1: [], 2: [] };
for (let i = 0; i < 3; i++) for (const w of [1, 2]) runs[w]!.push(await runSilver(cmd, root, w));
for (const w of [1, 2]) {
  const r = runs[w]!.sort((a, b) => a.wall - b.wall)[1]!;
  const perDay = r.wall / r.dates;
  console.log(
    `${String(w).padEnd(7)}  ${r.wall.toFixed(2).padStart(6)}  ${perDay.toFixed(2).padStart(9)}  ${r.cpu.toFixed(2).padStart(5)}  ${r.rssMb.toFixed(0).padStart(11)}  ${String(r.rows).padEnd(5)}  ${String(r.dates).padEnd(5)}  ${(perDay / plainDay).toFixed(2)}×`,
  );
}

if (argv.includes("--s3")) {
  const { startS3rver } = await import("../testkit/s3");
  const { s3Store } = await import("../src/storage");
  await using s3 = await startS3rver();
  const local = localStore(root);
  const remote = s3Store(s3.s3Settings);
  const objects = await local.list("bronze/");
  for (const o of objects) await remote.put(o.key, await local.get(o.key));
  const work = join(tmpdir(), `lake-bench-silver-s3-${process.pid}`);
  const env = { ...s3.env(), LAKE_LOCAL_ROOT: join(work, "local"), LAKE_CACHE_DIR: join(work, "cache") };
  const localRun = runs[2]!.sort((a, b) => a.wall - b.wall)[1]!;
  console.log(`\nBronze in S3 (s3rver, ${objects.length} objects), Silver in a local root, 2 workers — vs the local run above (${localRun.wall.toFixed(2)} s):`);
  try {
    for (const label of ["cold read cache", "warm read cache"]) {
      const r = await runSilver(cmd, root, 2, env);
      if (r.rows !== localRun.rows) throw new Error(`S3 build made ${r.rows} rows, local ${localRun.rows}`);
      console.log(`  ${label.padEnd(16)} ${r.wall.toFixed(2).padStart(6)} s  ${r.rows} rows  ${(r.wall / localRun.wall).toFixed(2)}× local`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
