/**
 * bun run bench:compact — Bronze as live ingest leaves it (one file per table per 5-second
 * flush: ≥ 20,000 files for one normal simulated day over the three Bronze tables) against
 * the same rows batch-shaped (one file per table-hour), in one run:
 *
 *   - `lake compact` throughput (rows/s, MB/s of input) and peak RSS, next to the anchor
 *     `encodeParquet` on the same rows (one encode per table-hour, in-process, warm), and
 *     next to two per-file anchors on the same inputs: reading and decoding them alone (the
 *     floor of any merge) and DuckDB doing the same merge (lib/compact-anchors.ts);
 *   - `lake silver --dates D --force` on the uncompacted, compacted and batch-shaped lake;
 *   - `lake query "select count(*) from bronze_futures_mbp10"` likewise.
 *
 * Targets: Silver compacted ≤ 1.1× batch, uncompacted ≤ 3× batch; compaction ≥ 0.5× the
 * encoder's rows/s; peak RSS < 1 GB. Every `lake` run gets a fresh, empty read cache
 * (LAKE_CACHE_DIR), so the uncompacted figures include consolidating that day's hours. CPU
 * seconds (all threads) are printed next to wall times: on a shared box they move less. Lakes are cached in $TMPDIR/lake-bench-compact-*
 * (deterministic seed); the compacted copy is rebuilt every run.
 *
 * Options: --scale light|normal (default normal), --flush S (default 5), --runs N (default 3),
 * --source (run `bun src/main.ts` instead of ./lake).
 */
import { reexecWithBatchAllocator } from "../src/runtime/allocator";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeParquet, encodeParquet } from "../src/parquet";
import { BRONZE_TABLES } from "../src/schemas/bronze";
import { localStore } from "../src/storage";
import { batchDay, BENCH_DAY, realtimeDay } from "./lib/realtime-day";
import { median, numberFlag } from "./lib/args";
import { decodeFloor, duckdbMerge } from "./lib/compact-anchors";
import { peakRssBytes } from "../testkit/peak-rss";

// measured as the lake's batch commands run: with their allocator setting (src/runtime/allocator.ts)
reexecWithBatchAllocator();

const argv = process.argv.slice(2);
const opt = (k: string, d: string) => (argv.includes(k) ? argv[argv.indexOf(k) + 1]! : d);
const SCALE = opt("--scale", "normal") as "light" | "normal";
const FLUSH_S = numberFlag("flush", 5);
const RUNS = numberFlag("runs", 3);
const DATE = BENCH_DAY;
const ROOT_DIR = join(import.meta.dir, "..");

function lakeCommand(): { cmd: string[]; label: string } {
  const bin = join(ROOT_DIR, "lake");
  if (!argv.includes("--source") && existsSync(bin)) {
    const p = Bun.spawnSync([bin, "compact", "--help"], { stdout: "ignore", stderr: "ignore" });
    if (p.exitCode === 0) return { cmd: [bin], label: `${bin} (compiled)` };
  }
  return { cmd: [process.execPath, join(ROOT_DIR, "src/main.ts")], label: "bun src/main.ts (source)" };
}

interface Run {
  wall: number;
  /** CPU seconds (user + system, every thread of the process). */
  cpu: number;
  rssMb: number;
  out: string;
}

async function lake(cmd: string[], args: string[]): Promise<Run> {
  // A fresh read cache per run: every figure includes consolidating an uncompacted day's hours.
  const cacheDir = mkdtempSync(join(tmpdir(), "lake-bench-compact-cache-"));
  const t = performance.now();
  const p = Bun.spawn([...cmd, ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, LAKE_LOG_LEVEL: "warn", LAKE_CACHE_DIR: cacheDir } });
  const [out, err, code, peak] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited, peakRssBytes(p)]);
  const wall = (performance.now() - t) / 1000;
  rmSync(cacheDir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`lake ${args.join(" ")} exited ${code}: ${err.slice(-2000)}`);
  const ru = p.resourceUsage()!;
  return { wall, cpu: Number(ru.cpuTime.user + ru.cpuTime.system) / 1e6, rssMb: peak / 1024 / 1024, out };
}

async function medianRun(cmd: string[], args: string[]): Promise<Run> {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await lake(cmd, args));
  const wall = median(runs.map((r) => r.wall));
  return runs.find((r) => r.wall === wall)!;
}

async function countFiles(root: string): Promise<{ files: number; bytes: number }> {
  const objs = (await localStore(root).list("bronze/")).filter((o) => o.key.endsWith(".parquet"));
  return { files: objs.length, bytes: objs.reduce((n, o) => n + o.size, 0) };
}

/** Anchor: encodeParquet over the same rows, one encode per table-hour (as compaction does). */
async function encoderAnchor(batchRoot: string): Promise<{ rows: number; seconds: number; cpu: number }> {
  const store = localStore(batchRoot);
  const frames = [];
  for (const t of BRONZE_TABLES) {
    for (const o of (await store.list(`bronze/${t.schemaPath}/`)).filter((x) => x.key.endsWith(".parquet"))) {
      frames.push({ t, f: await decodeParquet(await store.get(o.key), { schema: t.schema }) });
    }
  }
  const rows = frames.reduce((n, x) => n + x.f.numRows, 0);
  for (const { t, f } of frames.slice(0, 3)) encodeParquet(f, { schema: t.schema, rowGroupSize: 131_072 }); // warm
  const times: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (const { t, f } of frames) encodeParquet(f, { schema: t.schema, rowGroupSize: 131_072 });
    const c = process.cpuUsage(c0);
    times.push((performance.now() - t0) / 1000);
    cpus.push((c.user + c.system) / 1e6);
  }
  return { rows, seconds: median(times), cpu: median(cpus) };
}

const batch = await batchDay(SCALE);
const realtime = await realtimeDay(SCALE, FLUSH_S);
const compacted = join(tmpdir(), `lake-bench-compact-${SCALE}-compacted-${process.pid}`);
rmSync(compacted, { recursive: true, force: true });
cpSync(realtime, compacted, { recursive: true });

try {
  const { cmd, label } = lakeCommand();
  const rt = await countFiles(realtime);
  const bt = await countFiles(batch);
  console.log(`\nlake: ${label}; ${SCALE} day ${DATE}; ${rt.files} real-time-shaped files (${FLUSH_S} s flushes, ${(rt.bytes / 1e6).toFixed(1)} MB) vs ${bt.files} batch-shaped (${(bt.bytes / 1e6).toFixed(1)} MB)`);
  console.log(`load average: ${(await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3).join(" ")}\n`);

  const enc = await encoderAnchor(batch);
  const encRate = enc.rows / enc.seconds;
  const c = await lake(cmd, ["compact", "--data-root", compacted, "--grace", "0", "--json"]);
  const raw = JSON.parse(c.out) as Record<string, number>;
  const rep = { rows: raw.rows!, bytesBefore: raw.bytes_before ?? raw.bytesBefore!, filesBefore: raw.files_before ?? raw.filesBefore!, filesAfter: raw.files_after ?? raw.filesAfter! };
  const ct = await countFiles(compacted);
  const cRate = rep.rows / c.wall;
  console.log("compaction                       rows      wall s   rows/s      MB/s in  peak RSS MB  vs encodeParquet   CPU s  rows/CPU-s vs encoder");
  console.log(`anchor: encodeParquet (in-proc)  ${String(enc.rows).padEnd(9)} ${enc.seconds.toFixed(2).padStart(6)}  ${Math.round(encRate).toString().padStart(9)}  ${"".padStart(7)}  ${"".padStart(11)}  ${"".padStart(16)}  ${enc.cpu.toFixed(2).padStart(6)}`);
  console.log(
    `lake compact (${rep.filesBefore} → ${rep.filesAfter} files) ${String(rep.rows).padEnd(9)} ${c.wall.toFixed(2).padStart(6)}  ${Math.round(cRate).toString().padStart(9)}  ${(rep.bytesBefore / 1e6 / c.wall).toFixed(1).padStart(7)}  ${c.rssMb.toFixed(0).padStart(11)}  ${(cRate / encRate).toFixed(2).padStart(5)}× (≥ 0.5×)  ${c.cpu.toFixed(2).padStart(6)}  ${(rep.rows / c.cpu / (enc.rows / enc.cpu)).toFixed(2)}×`,
  );
  console.log(`compacted lake: ${ct.files} files, ${(ct.bytes / 1e6).toFixed(1)} MB\n`);

  const lakes = [
    ["batch-shaped", batch],
    ["uncompacted", realtime],
    ["compacted", compacted],
  ] as const;
  const silver: Record<string, Run> = {};
  const query: Record<string, Run> = {};
  for (const [name, root] of lakes) {
    silver[name] = await medianRun(cmd, ["silver", "--data-root", root, "--dates", DATE, "--force", "--json"]);
    query[name] = await medianRun(cmd, ["query", "--data-root", root, "select count(*) from bronze_futures_mbp10", "--format", "csv"]);
  }
  const sigs = new Set(Object.values(silver).map((r) => (JSON.parse(r.out) as { signals_total: number }).signals_total));
  const counts = new Set(Object.values(query).map((r) => r.out.trim()));
  console.log(`median of ${RUNS}          lake silver s  peak RSS MB  × batch   CPU s  × batch   lake query count(*) s  × batch`);
  for (const [name] of lakes) {
    const s = silver[name]!;
    const q = query[name]!;
    const target = name === "compacted" ? " (target ≤ 1.1×)" : name === "uncompacted" ? " (target ≤ 3×)" : "";
    console.log(
      `${name.padEnd(22)} ${s.wall.toFixed(2).padStart(12)}  ${s.rssMb.toFixed(0).padStart(11)}  ${(s.wall / silver["batch-shaped"]!.wall).toFixed(2).padStart(6)}×  ${s.cpu.toFixed(2).padStart(6)}  ${(s.cpu / silver["batch-shaped"]!.cpu).toFixed(2).padStart(5)}×  ${q.wall.toFixed(2).padStart(20)}  ${(q.wall / query["batch-shaped"]!.wall).toFixed(2).padStart(6)}×${target}`,
    );
  }
  if (sigs.size !== 1) throw new Error(`Silver signal counts differ between the lakes: ${[...sigs].join(", ")}`);
  if (counts.size !== 1) throw new Error(`count(*) differs between the lakes: ${[...counts].join(" | ")}`);
  console.log(`\nsame Silver signal count (${[...sigs][0]}) and MBP-10 count (${[...counts][0]!.split("\n").pop()}) on all three lakes`);

  // Last, as they grow this process. The per-file floor: a live-shaped hour is hundreds of
  // files of a few rows, each with ~70 column chunks to decode, so the encoder's rows/s (36
  // big encodes) is not what a merge of 20,000 files can reach. These anchors price the same
  // inputs, same run.
  const floors = [];
  for (let i = 0; i < RUNS; i++) floors.push(await decodeFloor(realtime));
  const floor = floors.sort((a, b) => a.cpu - b.cpu)[floors.length >> 1]!;
  const threads = Math.max(1, navigator.hardwareConcurrency || 1);
  const duck = await duckdbMerge(realtime, threads);
  if (floor.rows !== rep.rows || duck.rows !== rep.rows) throw new Error(`anchors read ${floor.rows} / ${duck.rows} rows, compaction ${rep.rows}`);
  console.log("\nper-file anchors on the same inputs    wall s   CPU s   lake compact CPU ÷ anchor CPU");
  console.log(`decode floor (read + decode, in-proc) ${floor.seconds.toFixed(2).padStart(7)}  ${floor.cpu.toFixed(2).padStart(6)}   ${(c.cpu / floor.cpu).toFixed(2)}×`);
  console.log(`DuckDB COPY … ORDER BY, per hour (${threads} thr) ${duck.seconds.toFixed(2).padStart(7)}  ${duck.cpu.toFixed(2).padStart(6)}   ${(c.cpu / duck.cpu).toFixed(2)}× (lake compact wall ${(duck.seconds / c.wall).toFixed(1)}× faster)`);
} finally {
  rmSync(compacted, { recursive: true, force: true });
}
