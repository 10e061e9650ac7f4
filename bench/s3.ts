/**
 * bench:s3 — one simulated lake of `--days` normal days (default 5), on local disk and
 * uploaded to a private s3rver, same run, cold read cache each time:
 * - a one-hour MBP-10 read (every column, the middle day's 14:00 UTC hour, its front month):
 *   the time ratio and the bytes the S3 server actually sent (counted by a TCP relay between
 *   the reader and the server, headers and listings included) next to the bytes of the column
 *   chunks the read needs (from the files' Parquet footers);
 * - `lake query`'s view of one column over every day (`avg(bid_px_1)`), same accounting: the S3
 *   path fetches footers + that column's chunks into sparse copies (column-ranges.ts);
 * - `lake silver --force` over the same days with Bronze on disk vs in the bucket (the version
 *   then published there), wall and CPU seconds.
 * Targets: S3 ≤ 2× local; served bytes ≤ 1.2× needed; Silver on S3 ≤ 1.5× local.
 *
 *   bun run bench:s3 [--days 5] [--runs 3]      (--days 1 for a quick look)
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parquetMetadata } from "hyparquet";
import { BronzeReader } from "../src/read/bronze-reader";
import { ContractSelector } from "../src/read/futures-contracts";
import { DuckSession } from "../src/read/duck";
import { LakeFiles } from "../src/read/lake-files";
import { registerViews } from "../src/read/views";
import { generateDay, tradingDates } from "../src/sim/day";
import { writeBronzeDay } from "../src/sim/bronze";
import { localStore, S3Store } from "../src/storage";
import { startS3rver } from "../testkit/s3";
import { freePort } from "../testkit/net";
import { lakeBinary } from "../testkit/lake-binary";
import { median, numberFlag } from "./lib/args";

const DAYS = numberFlag("days", 5);
const RUNS = numberFlag("runs", 3);
const root = resolve(import.meta.dir, "..", ".bench-out", `s3-sim-${DAYS}`);

async function buildLake(): Promise<void> {
  if (existsSync(join(root, ".complete"))) return;
  rmSync(root, { recursive: true, force: true });
  for (const d of tradingDates("2026-03-02", DAYS)) await writeBronzeDay(localStore(root), generateDay({ date: d, seed: 11, scale: "normal", signals: false }));
  writeFileSync(join(root, ".complete"), "");
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".parquet"))
    .map((e) => join(e.parentPath, e.name));
}

/** A TCP relay in front of the server that counts the bytes the server sends. */
async function countingRelay(targetPort: number) {
  const port = await freePort();
  let served = 0;
  type Pair = { upstream?: import("bun").Socket<undefined>; pending: Uint8Array[] };
  const server = Bun.listen<Pair>({
    hostname: "127.0.0.1",
    port,
    socket: {
      async open(client) {
        client.data = { pending: [] };
        client.data.upstream = await Bun.connect({
          hostname: "127.0.0.1",
          port: targetPort,
          socket: {
            data(_s, chunk) {
              served += chunk.byteLength;
              client.write(chunk);
            },
            close() {
              client.end();
            },
          },
        });
        for (const c of client.data.pending) client.data.upstream.write(c);
        client.data.pending = [];
      },
      data(client, chunk) {
        if (client.data.upstream) client.data.upstream.write(chunk);
        else client.data.pending.push(new Uint8Array(chunk));
      },
      close(client) {
        client.data.upstream?.end();
      },
    },
  });
  return { port, served: () => served, reset: () => (served = 0), stop: () => server.stop(true) };
}

await buildLake();
const dates = await new BronzeReader(root).getAvailableDates("futures/mbp10", "symbol=ES");
const date = dates[Math.floor(dates.length / 2)] ?? dates[0]!;
const hourStart = BigInt(Date.parse(`${date}T14:00:00Z`)) * 1_000_000n;
// the contract is decided once, locally: the figure is the MBP-10 read, not the trades vote
const front = (await new ContractSelector(root).selectFrontMonth(date)).frontMonthSymbol;
const window = { date, startNs: hourStart, endNs: hourStart + 3_600_000_000_000n - 1n, specificContract: front };

await using s3 = await startS3rver();
// one bucket prefix per run: the reads, the query and the Silver builds see the same objects
const prefix = `s3-bench-${Date.now().toString(36)}`;
const upload = new S3Store({ ...s3.s3Settings, prefix });
for (const f of filesUnder(join(root, "bronze"))) await upload.put(relative(root, f), readFileSync(f));
const dayFiles = filesUnder(join(root, "bronze", "futures", "mbp10"));
const relay = await countingRelay(s3.port);
const relayed = () => new S3Store({ ...s3.s3Settings, prefix, endpoint: `http://127.0.0.1:${relay.port}` });

const times = { local: [] as number[], s3: [] as number[] };
let rowsRead = 0;
let served = 0;
let readFiles: string[] = [];
for (let i = 0; i < RUNS; i++) {
  let t = performance.now();
  const local = new BronzeReader(root);
  rowsRead = (await local.readFuturesMbp10("ES", window)).numRows;
  times.local.push(performance.now() - t);

  const cacheDir = mkdtempSync(join(tmpdir(), "lake-bench-s3-cache-"));
  const store = relayed();
  relay.reset();
  t = performance.now();
  const remote = new BronzeReader(new LakeFiles(store, { cacheDir }));
  const n = (await remote.readFuturesMbp10("ES", window)).numRows;
  times.s3.push(performance.now() - t);
  served = relay.served();
  readFiles = remote.lastRead.files;
  rmSync(cacheDir, { recursive: true, force: true });
  if (n !== rowsRead) throw new Error(`S3 read returned ${n} rows, local ${rowsRead}`);
}

// lake query: one column over all days.
const QUERY = "SELECT CAST(count(*) AS DOUBLE) AS n, avg(bid_px_1) AS a FROM bronze_futures_mbp10";
async function query(files: LakeFiles): Promise<unknown[]> {
  using _held = files.hold();
  using s = await DuckSession.open();
  await registerViews(s, files, QUERY);
  return (await s.query(QUERY)).toRows();
}
const qTimes = { local: [] as number[], s3: [] as number[] };
let qServed = 0;
for (let i = 0; i < RUNS; i++) {
  let t = performance.now();
  const want = JSON.stringify(await query(new LakeFiles(root)));
  qTimes.local.push(performance.now() - t);
  const cacheDir = mkdtempSync(join(tmpdir(), "lake-bench-s3-cache-"));
  const store = relayed();
  relay.reset();
  t = performance.now();
  const got = JSON.stringify(await query(new LakeFiles(store, { cacheDir })));
  qTimes.s3.push(performance.now() - t);
  qServed = relay.served();
  rmSync(cacheDir, { recursive: true, force: true });
  if (got !== want) throw new Error(`S3 query returned ${got}, local ${want}`);
}
relay.stop();
let qNeeded = 0;
for (const f of dayFiles) {
  const buf = readFileSync(f);
  const meta = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  qNeeded += 8 + buf.readUInt32LE(buf.byteLength - 8); // the footer DuckDB must read
  for (const rg of meta.row_groups) for (const c of rg.columns) if (c.meta_data?.path_in_schema[0] === "bid_px_1") qNeeded += Number(c.meta_data.total_compressed_size);
}

// Needed: every column chunk of the row groups the window overlaps (a Bronze read returns all columns).
let needed = 0;
for (const key of readFiles) {
  const buf = readFileSync(join(root, key));
  const meta = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  for (const rg of meta.row_groups) for (const c of rg.columns) needed += Number(c.meta_data?.total_compressed_size ?? 0n);
}
const dayBytes = dayFiles.reduce((s, f) => s + statSync(f).size, 0);
const l = median(times.local);
const r = median(times.s3);
console.log(`bench:s3 — ${DAYS} simulated normal days; one-hour MBP-10 read (${date} 14:00 UTC, ${front}: ${rowsRead.toLocaleString()} rows, ${readFiles.length} file(s)) out of ${dayFiles.length} MBP-10 files (${(dayBytes / 2 ** 20).toFixed(1)} MiB), median of ${RUNS}, cold cache`);
console.log(`  local disk        ${l.toFixed(0).padStart(7)} ms`);
console.log(`  S3 (s3rver)       ${r.toFixed(0).padStart(7)} ms   ${(r / l).toFixed(2)}× local   (target ≤ 2×)`);
console.log(`  served by S3      ${(served / 2 ** 20).toFixed(2).padStart(7)} MiB  ${(served / needed).toFixed(3)}× the ${(needed / 2 ** 20).toFixed(2)} MiB of column chunks needed   (target ≤ 1.2×; whole lake ${(dayBytes / 2 ** 20).toFixed(1)} MiB)`);
const ql = median(qTimes.local);
const qr = median(qTimes.s3);
console.log(`lake query of one column (bid_px_1) over all ${dayFiles.length} files, cold cache`);
console.log(`  local disk        ${ql.toFixed(0).padStart(7)} ms`);
console.log(`  S3 (s3rver)       ${qr.toFixed(0).padStart(7)} ms   ${(qr / ql).toFixed(2)}× local`);
console.log(`  served by S3      ${(qServed / 2 ** 20).toFixed(2).padStart(7)} MiB  ${(qServed / qNeeded).toFixed(3)}× the ${(qNeeded / 2 ** 20).toFixed(2)} MiB of footers + column chunks needed   (whole objects: ${(dayBytes / 2 ** 20).toFixed(1)} MiB)`);

// `lake silver --force` of the same lake: Bronze on local disk vs Bronze in the bucket with
// the version published there (cold read cache, fresh working copy), same run, same binary.
const bin = await lakeBinary();
async function silverRun(env: Record<string, string>, args: string[]): Promise<{ ms: number; cpuS: number }> {
  const t = performance.now();
  const p = Bun.spawn([bin, "silver", "--force", "--workers", "2", "--quiet", ...args], { env: { ...process.env, ...env }, stdout: "ignore", stderr: "pipe" });
  const code = await p.exited;
  if (code !== 0) throw new Error(`lake silver exited ${code}: ${await new Response(p.stderr).text()}`);
  const ru = p.resourceUsage();
  return { ms: performance.now() - t, cpuS: ru ? Number(ru.cpuTime.total) / 1e6 : NaN };
}
const sTimes = { local: [] as { ms: number; cpuS: number }[], s3: [] as { ms: number; cpuS: number }[] };
for (let i = 0; i < RUNS; i++) {
  sTimes.local.push(await silverRun({}, ["--data-root", root]));
  const work = mkdtempSync(join(tmpdir(), "lake-bench-s3-silver-"));
  const env = { ...s3.env(prefix), LAKE_LOCAL_ROOT: join(work, "copy"), LAKE_CACHE_DIR: join(work, "cache"), LAKE_SINGLE_WRITER: "true" };
  sTimes.s3.push(await silverRun(env, []));
  rmSync(work, { recursive: true, force: true });
}
const sl = median(sTimes.local.map((x) => x.ms));
const sr = median(sTimes.s3.map((x) => x.ms));
const cl = median(sTimes.local.map((x) => x.cpuS));
const cr = median(sTimes.s3.map((x) => x.cpuS));
console.log(`lake silver --force, ${DAYS} simulated normal days, cold cache, median of ${RUNS}`);
console.log(`  local disk        ${sl.toFixed(0).padStart(7)} ms   ${cl.toFixed(2)} CPU-s`);
console.log(`  S3 (s3rver)       ${sr.toFixed(0).padStart(7)} ms   ${cr.toFixed(2)} CPU-s   ${(sr / sl).toFixed(2)}× local wall, ${(cr / cl).toFixed(2)}× CPU   (target ≤ 1.5×; Bronze read from the bucket, version published there)`);
