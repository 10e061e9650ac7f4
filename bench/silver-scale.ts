/**
 * bun run bench:silver-scale — Silver at real ES volume: days of 2.5M, 10M and 25M MBP-10
 * rows (simulated once with `lake simulate --to bronze`, cached under .bench-out/silver-scale/).
 *
 * Per day size, each a separate process as a user runs it:
 *   - `lake silver --dates D --force`: wall time, CPU time (user + system, all threads — the
 *     figure that survives a contended box), peak RSS (/proc VmHWM), MBP-10 rows/s;
 *   - `lake bronze read futures-mbp10 --date D --start DT15:00:00Z --end DT16:00:00Z --format parquet`:
 *     a one-hour export, wall time and peak RSS.
 * Anchor, measured in the same run on the same files: a bare DuckDB scan of the day's MBP-10
 * `ts_event_ns` column (`SELECT max(ts_event_ns)`, in-process, median of 3) — the least
 * any reader must do to look at every row once. Silver is shown as a ratio of it.
 *
 * Targets: peak RSS < 1 GB at every size; Silver ≤ 1 s per 10M MBP-10 rows; time linear in
 * rows (25M / 10M ≤ 2.7×); one-hour export < 1 GB RSS.
 *
 * Options: --sizes 2.5M,10M,25M (default all), --runs N (Silver runs per size, median; default 1),
 * --bin PATH (default ./lake).
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DuckSession } from "../src/read/duck";
import { median, numberFlag } from "./lib/args";
import { peakRssBytes } from "../testkit/peak-rss";

const argv = process.argv.slice(2);
const opt = (k: string, d: string) => (argv.includes(k) ? argv[argv.indexOf(k) + 1]! : d);
const ROOT_DIR = join(import.meta.dir, "..");
const OUT_DIR = join(ROOT_DIR, ".bench-out", "silver-scale");
const BIN = opt("--bin", join(ROOT_DIR, "lake"));
const RUNS = numberFlag("runs", 1);
const DATE = "2026-03-05";

/** MBP-10 quote rate per day size (rows ≈ 0.27M + 26.6k × rate at 12 trades/s). */
const SIZES: Record<string, number> = { "2.5M": 84, "10M": 366, "25M": 930 };
const wanted = opt("--sizes", Object.keys(SIZES).join(",")).split(",");
for (const s of wanted) if (!(s in SIZES)) throw new Error(`unknown size ${s}: expected ${Object.keys(SIZES).join(", ")}`);

interface Run {
  wallS: number;
  cpuS: number;
  rssMB: number;
  stdout: string;
}

async function run(cmd: string[]): Promise<Run> {
  const t = performance.now();
  const p = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, peak] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), peakRssBytes(p)]);
  const wallS = (performance.now() - t) / 1000;
  if (p.exitCode !== 0) throw new Error(`${cmd.join(" ")} exited ${p.exitCode}\n${stderr}`);
  const u = p.resourceUsage();
  if (!u) throw new Error("no resource usage for the child process");
  const cpuS = Number(u.cpuTime.user + u.cpuTime.system) / 1e6;
  return { wallS, cpuS, rssMB: peak / 2 ** 20, stdout };
}

/** The day's lake, simulated once (deterministic seed) and reused while its parameters match. */
async function dayLake(size: string): Promise<string> {
  const dir = join(OUT_DIR, `mbp-${size}`);
  const params = JSON.stringify({ date: DATE, seed: 42, tradeRate: 12, mbpRate: SIZES[size], optionRate: 1.5 });
  const done = join(dir, ".complete");
  if (!existsSync(done) || (await Bun.file(done).text()).trim() !== params) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    console.log(`simulating the ${size} day into ${dir} (once) …`);
    const r = await run([BIN, "simulate", "--to", "bronze", "--data-root", join(dir, "lake"), "--date", DATE, "--seed", "42",
      "--trade-rate", "12", "--mbp-rate", String(SIZES[size]), "--option-rate", "1.5"]);
    console.log(`  ${r.wallS.toFixed(1)} s, peak RSS ${r.rssMB.toFixed(0)} MB`);
    await Bun.write(done, params + "\n");
  }
  return join(dir, "lake");
}

async function mbpRows(s: DuckSession, files: string): Promise<number> {
  const f = await s.query(`SELECT sum(num_rows)::BIGINT AS n FROM parquet_file_metadata($f)`, { f: files });
  return Number(f.values<BigInt64Array>("n")[0]!);
}

async function anchorS(s: DuckSession, files: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await s.query(`SELECT max(ts_event_ns) AS m FROM read_parquet($f)`, { f: files });
    times.push((performance.now() - t) / 1000);
  }
  return median(times);
}

const rows: Record<string, string | number>[] = [];
const perTen: Record<string, number> = {};
using duck = await DuckSession.open();
for (const size of wanted) {
  const lake = await dayLake(size);
  const files = join(lake, `bronze/futures/mbp10/symbol=ES/date=${DATE}/*/*.parquet`);
  const n = await mbpRows(duck, files);
  const anchor = await anchorS(duck, files);
  const silverRuns: Run[] = [];
  for (let i = 0; i < RUNS; i++) silverRuns.push(await run([BIN, "silver", "--data-root", lake, "--dates", DATE, "--force"]));
  const wall = median(silverRuns.map((r) => r.wallS));
  const cpu = median(silverRuns.map((r) => r.cpuS));
  const rss = Math.max(...silverRuns.map((r) => r.rssMB));
  const out = join(OUT_DIR, `export-${size}.parquet`);
  const exp = await run([BIN, "bronze", "read", "futures-mbp10", "--data-root", lake, "--date", DATE, "--start", `${DATE}T15:00:00Z`, "--end", `${DATE}T16:00:00Z`, "--format", "parquet", "--out", out]);
  rmSync(out, { force: true });
  perTen[size] = (wall / n) * 1e7;
  rows.push({
    day: size,
    mbp10_rows: n.toLocaleString("en-US"),
    silver_s: wall.toFixed(2),
    cpu_s: cpu.toFixed(2),
    peak_rss_mb: rss.toFixed(0),
    mbp_rows_per_s: Math.round(n / wall).toLocaleString("en-US"),
    s_per_10M: perTen[size]!.toFixed(2),
    cpu_s_per_10M: ((cpu / n) * 1e7).toFixed(2),
    ts_scan_s: anchor.toFixed(3),
    "silver/ts_scan": `${(wall / anchor).toFixed(1)}×`,
    export_1h_s: exp.wallS.toFixed(2),
    export_rss_mb: exp.rssMB.toFixed(0),
  });
  console.log(JSON.stringify(rows[rows.length - 1]));
}

console.log(`\nbench:silver-scale — ${BIN}, ${RUNS} Silver run(s) per size (median), date ${DATE}, load ${(await loadAvg()).toFixed(1)}`);
console.table(rows);
if (perTen["10M"] !== undefined && perTen["25M"] !== undefined) {
  const tenRow = rows.find((r) => r.day === "10M")!;
  const bigRow = rows.find((r) => r.day === "25M")!;
  const ratio = Number(bigRow.silver_s) / Number(tenRow.silver_s);
  const cpuRatio = Number(bigRow.cpu_s) / Number(tenRow.cpu_s);
  const rowsRatio = Number(String(bigRow.mbp10_rows).replaceAll(",", "")) / Number(String(tenRow.mbp10_rows).replaceAll(",", ""));
  console.log(`linearity: Silver 25M / 10M = ${ratio.toFixed(2)}× wall, ${cpuRatio.toFixed(2)}× CPU (target ≤ 2.7×; rows ${rowsRatio.toFixed(2)}×)`);
}
console.log("targets: peak RSS < 1024 MB every size; ≤ 1 s per 10M MBP-10 rows; one-hour export < 1024 MB");

async function loadAvg(): Promise<number> {
  const text = await Bun.file("/proc/loadavg").text().catch(() => "0");
  return Number(text.split(" ")[0]);
}
