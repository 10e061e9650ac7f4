/**
 * bun run bench:distributed — the same Silver build on the local worker pool (the anchor,
 * measured in the same run) and distributed over 1, 2 and 3 `lake worker` processes
 * (one pool thread each) through the LAKE_TASKS work queue of a private nats-server.
 *
 * This box has few cores, so the figures to read are not speed-ups but:
 *  - coordination overhead per date: task publish → result accepted, minus the time the
 *    date waited for a free worker and minus its build time (target ≤ 50 ms);
 *  - CPU utilisation: CPU seconds of coordinator + workers / (wall × cores);
 *  - an idle worker's CPU (target ~0).
 *
 * Options: --days N (default 8), --scale light|normal (default light). The simulated lake is
 * cached in $TMPDIR/lake-bench-distributed-<scale>-<days>d (deterministic seed).
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNats } from "../testkit/nats";
import { simulateBronze, spawnLake, type LakeProcess } from "../testkit/lake-process";
import { median, numberFlag } from "./lib/args";

const argv = process.argv.slice(2);
const DAYS = numberFlag("days", 8);
const SCALE = (argv.includes("--scale") ? argv[argv.indexOf("--scale") + 1] : "light") as "light" | "normal";
const CORES = navigator.hardwareConcurrency || 1;
const TICKS = 100; // USER_HZ of /proc/<pid>/stat on Linux

const root = join(tmpdir(), `lake-bench-distributed-${SCALE}-${DAYS}d`);
if (!existsSync(join(root, "bronze"))) {
  console.error(`simulating ${DAYS} ${SCALE} days into ${root} …`);
  await simulateBronze(root, DAYS, { scale: SCALE });
}
const logs = join(root, "logs");
await using nats = await startNats();
const env = { NATS_URL: nats.url, LAKE_LOG_LEVEL: "warn" };

interface Row {
  label: string;
  wallS: number;
  cpuS: number;
  overheadMs: number[];
  buildMs: number[];
}

const cpuOf = (p: LakeProcess) => {
  const ru = p.proc.resourceUsage();
  return ru ? Number(ru.cpuTime.user + ru.cpuTime.system) / 1e6 : 0;
};

async function local(): Promise<Row> {
  const t0 = performance.now();
  const p = spawnLake(["silver", "--data-root", root, "--force", "--workers", String(CORES), "--json"], env, join(tmpdir(), "lake-bench-dist-local.log"));
  const code = await p.proc.exited;
  if (code !== 0) throw new Error(`local build failed (${code}):\n${p.log()}`);
  const wallS = (performance.now() - t0) / 1000;
  const r = JSON.parse(await p.stdout());
  return { label: `local pool (${CORES} threads)`, wallS, cpuS: cpuOf(p), overheadMs: [], buildMs: r.dates.map((d: { seconds: number }) => d.seconds * 1000) };
}

async function distributed(n: number): Promise<Row> {
  const workers = Array.from({ length: n }, (_, i) => spawnLake(["worker", "--data-root", root, "--workers", "1"], env, join(tmpdir(), `lake-bench-dist-w${i}.log`)));
  try {
    await Promise.all(workers.map((w) => w.waitForLog(/lake worker ready/).catch(() => Bun.sleep(3_000))));
    const t0 = performance.now();
    const c = spawnLake(["silver", "--data-root", root, "--force", "--distributed", "--json"], env, join(tmpdir(), "lake-bench-dist-coord.log"));
    const code = await c.proc.exited;
    if (code !== 0) throw new Error(`distributed build failed (${code}):\n${c.log()}`);
    const wallS = (performance.now() - t0) / 1000;
    const r = JSON.parse(await c.stdout());
    for (const w of workers) w.proc.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.proc.exited));
    const co = r.coordination as { overhead_ms: number; build_ms: number }[];
    return { label: `${n} lake worker${n > 1 ? "s" : ""} × 1 thread`, wallS, cpuS: cpuOf(c) + workers.reduce((s, w) => s + cpuOf(w), 0), overheadMs: co.map((x) => x.overhead_ms), buildMs: co.map((x) => x.build_ms) };
  } finally {
    for (const w of workers) await w[Symbol.asyncDispose]();
  }
}

/** CPU seconds an idle worker uses over `seconds` (after its start-up). */
async function idleWorkerCpu(seconds: number): Promise<number> {
  const w = spawnLake(["worker", "--data-root", root, "--workers", "1"], { ...env, LAKE_LOG_LEVEL: "info" }, join(tmpdir(), "lake-bench-dist-idle.log"));
  try {
    await w.waitForLog(/lake worker ready/);
    await Bun.sleep(1_000);
    const ticks = () => readFileSync(`/proc/${w.proc.pid}/stat`, "utf8").split(") ")[1]!.split(" ").slice(11, 13).reduce((s, v) => s + Number(v), 0);
    const a = ticks();
    await Bun.sleep(seconds * 1000);
    return (ticks() - a) / TICKS;
  } finally {
    await w[Symbol.asyncDispose]();
  }
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : 0);
const p95 = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]! : 0);

console.log(`bench:distributed — ${DAYS} simulated ${SCALE} days, ${CORES} cores, nats-server on loopback`);
const rows: Row[] = [await local()];
for (const n of [1, 2, 3]) rows.push(await distributed(n));
const anchor = rows[0]!;
console.log("\n| configuration | wall s | × local | CPU s | CPU utilisation | build ms/date (median) | overhead ms/date mean | p95 | max |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
  const util = r.cpuS / (r.wallS * CORES);
  const oh = r.overheadMs.length ? `${mean(r.overheadMs).toFixed(1)} | ${p95(r.overheadMs).toFixed(0)} | ${Math.max(...r.overheadMs).toFixed(0)}` : "– | – | –";
  console.log(`| ${r.label} | ${r.wallS.toFixed(2)} | ${(r.wallS / anchor.wallS).toFixed(2)} | ${r.cpuS.toFixed(1)} | ${(util * 100).toFixed(0)} % | ${median(r.buildMs).toFixed(0)} | ${oh} |`);
}
const idle = await idleWorkerCpu(10);
console.log(`\nidle lake worker: ${idle.toFixed(2)} CPU s over 10 s (${((idle / 10) * 100).toFixed(2)} % of one core)`);
const all = rows.flatMap((r) => r.overheadMs);
console.log(`coordination overhead over all distributed dates: mean ${mean(all).toFixed(1)} ms, p95 ${p95(all).toFixed(0)} ms (target ≤ 50 ms)`);
rmSync(logs, { recursive: true, force: true });
