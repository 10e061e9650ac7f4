/**
 * bun run bench:import [--scale normal|heavy|both] [--runs N]
 *
 * A simulated day's MBP-10 as one DBN v3 zstd file, imported end to end (decode + sort +
 * encode + write, `lake import dbn` in a child process, after one warm-up import like the
 * anchors' warm-up run; also one cold run: wall time, CPU time and peak RSS) as the CLI runs
 * it by default (one core) and with `--workers 1` (a batch worker encodes batch k while this
 * thread decodes batch k + 1), next to two
 * anchors measured in the same run on the same rows:
 *   - encodeParquet of the Bronze frame from memory, split by hour like the import (no I/O);
 *   - DuckDB `COPY … (FORMAT parquet, COMPRESSION zstd)` of the same rows (threads = 1).
 * Targets: ≥ 1,000,000 MBP-10 records/s end to end, ≥ 0.7× encodeParquet, peak RSS < 1 GB.
 */
import { reexecWithBatchAllocator } from "../src/runtime/allocator";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { splitByHour } from "../src/dbn/partition";
import { writeDbnDay } from "../src/sim/dbn-day";
import { encodeParquet } from "../src/parquet";
import { loadDuckDB } from "../src/runtime/duckdb-native";
import { FUTURES_MBP10 } from "../src/schemas/bronze";
import { generateDay } from "../src/sim/day";
import type { ScaleName } from "../src/sim/scale";
import { median, numberFlag } from "./lib/args";

// measured as the lake's batch commands run: with their allocator setting (src/runtime/allocator.ts)
reexecWithBatchAllocator();

const RUNS = numberFlag("runs", 3);
const scaleArg = process.argv.includes("--scale") ? process.argv[process.argv.indexOf("--scale") + 1]! : "both";
const scales: ScaleName[] = scaleArg === "both" ? ["normal", "heavy"] : [scaleArg as ScaleName];

const fmt = (x: number, d = 2) => x.toFixed(d);
const perS = (rows: number, s: number) => Math.round(rows / s).toLocaleString("en-US");

interface ChildResult { seconds: number; cpuSeconds: number; rows: number; records: number; maxRssBytes: number }

function importOnce(file: string, root: string, warmRoot: string | null, usePool = false): ChildResult {
  const warm = warmRoot ? ["--warm", warmRoot] : [];
  const p = Bun.spawnSync(["bun", join(import.meta.dir, "lib/import-child.ts"), ...(usePool ? ["--pool"] : []), ...warm, root, file], { stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`import child failed: ${p.stderr.toString()}`);
  return JSON.parse(p.stdout.toString().trim().split("\n").pop()!) as ChildResult;
}

interface Timed { seconds: number; cpuSeconds: number }

async function duckCopy(srcGlob: string, dst: string): Promise<Timed> {
  const duck = await loadDuckDB();
  const inst = await duck.DuckDBInstance.create(":memory:");
  const con = await inst.connect();
  try {
    await con.run("SET threads = 1");
    await con.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${srcGlob}') ORDER BY ts_event_ns, seq`);
    const copy = `COPY t TO '${dst}' (FORMAT parquet, COMPRESSION zstd)`;
    await con.run(copy);
    const times: number[] = [], cpus: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const c = process.cpuUsage();
      const t = performance.now();
      await con.run(copy);
      times.push((performance.now() - t) / 1000);
      const u = process.cpuUsage(c);
      cpus.push((u.user + u.system) / 1e6);
    }
    return { seconds: median(times), cpuSeconds: median(cpus) };
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

const lines: string[] = [];
for (const scale of scales) {
  const dir = mkdtempSync(join(tmpdir(), `lake-bench-import-${scale}-`));
  try {
    const day = generateDay({ date: "2026-03-10", seed: 7, scale });
    const files = await writeDbnDay(dir, day);
    const rows = day.mbp10.numRows;
    const fileBytes = Bun.file(files.mbp10).size;

    const runs: ChildResult[] = [];
    const oneCore: ChildResult[] = [];
    const roots: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      roots.push(mkdtempSync(join(dir, "lake-")));
      oneCore.push(importOnce(files.mbp10, roots[i]!, mkdtempSync(join(dir, "warm-"))));
      runs.push(importOnce(files.mbp10, mkdtempSync(join(dir, "pool-")), mkdtempSync(join(dir, "warm-")), true));
    }
    const mid = (xs: ChildResult[]) => xs.sort((a, b) => a.seconds - b.seconds)[Math.floor(xs.length / 2)]!;
    const imp = mid(runs);
    const one = mid(oneCore);
    const oneCpu = median(oneCore.map((r) => r.cpuSeconds));
    const impCpu = median(runs.map((r) => r.cpuSeconds));
    const cold = importOnce(files.mbp10, mkdtempSync(join(dir, "cold-")), null);
    if (imp.rows !== rows || one.rows !== rows) throw new Error(`import wrote ${imp.rows} / ${one.rows} rows, the day has ${rows}`);

    const groups = splitByHour(day.mbp10);
    const encTimes: number[] = [], encCpu: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      const c = process.cpuUsage();
      const t = performance.now();
      for (const g of groups) encodeParquet(g.frame, { schema: FUTURES_MBP10 });
      const u = process.cpuUsage(c);
      if (i > 0) encTimes.push((performance.now() - t) / 1000), encCpu.push((u.user + u.system) / 1e6); // first run warms up
    }
    const enc = median(encTimes), encC = median(encCpu);
    const lake = roots[0]!;
    const duck = await duckCopy(`${lake}/bronze/futures/mbp10/**/*.parquet`, join(dir, "duck.parquet"));

    lines.push(
      `## ${scale} day: ${rows.toLocaleString("en-US")} MBP-10 records, DBN v3 zstd ${(fileBytes / 1e6).toFixed(1)} MB (median of ${RUNS})`,
      `  lake import dbn (one core: decode+sort+encode+write) ${fmt(one.seconds, 3)} s  ${perS(rows, one.seconds)} rows/s  (CPU ${fmt(oneCpu, 3)} s → ${perS(rows, oneCpu)} rows/CPU-s)  peak RSS ${(one.maxRssBytes / 2 ** 20).toFixed(0)} MiB`,
      `  … --workers 1 (encode on a batch worker)    ${fmt(imp.seconds, 3)} s  ${perS(rows, imp.seconds)} rows/s  (CPU ${fmt(impCpu, 3)} s → ${perS(rows, impCpu)} rows/CPU-s)  peak RSS ${(imp.maxRssBytes / 2 ** 20).toFixed(0)} MiB`,
      `  … first import in a fresh process (cold JIT) ${fmt(cold.seconds, 3)} s  ${perS(rows, cold.seconds)} rows/s  (CPU ${fmt(cold.cpuSeconds, 3)} s)  peak RSS ${(cold.maxRssBytes / 2 ** 20).toFixed(0)} MiB`,
      `  encodeParquet from memory (anchor)         ${fmt(enc, 3)} s  ${perS(rows, enc)} rows/s  (CPU ${fmt(encC, 3)} s → ${perS(rows, encC)} rows/CPU-s)`,
      `  DuckDB COPY to ZSTD Parquet (anchor, 1 thr) ${fmt(duck.seconds, 3)} s  ${perS(rows, duck.seconds)} rows/s  (CPU ${fmt(duck.cpuSeconds, 3)} s)`,
      `  ratios (wall): import/encodeParquet = ${fmt(enc / one.seconds)}× (target ≥ 0.7×), import/DuckDB COPY = ${fmt(duck.seconds / one.seconds)}×; --workers 1: ${fmt(enc / imp.seconds)}× / ${fmt(duck.seconds / imp.seconds)}×`,
      `  ratios (CPU):  import/encodeParquet = ${fmt(encC / oneCpu)}×, import/DuckDB COPY = ${fmt(duck.cpuSeconds / oneCpu)}×; --workers 1: ${fmt(encC / impCpu)}× / ${fmt(duck.cpuSeconds / impCpu)}×`,
      `  targets: ${perS(rows, one.seconds)} rows/s wall, ${perS(rows, oneCpu)} rows per CPU-second (≥ 1,000,000 on one core), peak RSS ${(Math.max(one.maxRssBytes, imp.maxRssBytes, cold.maxRssBytes) / 2 ** 30).toFixed(2)} GiB (< 1)`,
      "",
    );
    console.log(lines.slice(-10).join("\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
