/**
 * bench:ingest — drain a pre-filled JetStream backlog through `lake serve`.
 *
 * 1. private nats-server; pre-fill MARKET_DATA with N trades + M MBP-10 messages;
 * 2. anchor: a bare Bun JetStream pull consume of the same backlog (ack-all per batch, no
 *    decoding, no writing), measured in this run on this machine;
 * 3. `lake serve` as a subprocess; time until each consumer's commit watermark reaches the
 *    last sequence of its subject (every row committed); peak RSS = VmHWM of the process;
 *    CPU seconds per thread of serve and nats-server during the drain (/proc), so the
 *    output says where the time went, plus the load average.
 *
 *   bun run bench:ingest [--trades 1000000] [--mbp 500000] [--buffer 50000] [--ring-mb 32]
 *                        [--pull-batch 2048] [--client raw|natsjs] [--profile DIR]
 *                        [--runs 3] [--keep-logs DIR] [--serve-arg=--no-compact …] [--compaction [--scale light|normal]]
 * A count of 0 skips that schema (e.g. `--mbp 0` measures trades alone). `--compaction`
 * drains the backlog into a lake seeded with a real-time-shaped day (≈ 20,000 small
 * files of closed hours) three times: `--no-compact`, with background compaction running, and
 * `--no-compact` again, and prints the ratio of the rate with compaction to the mean of the
 * two without (the target: ≥ 0.8×).
 */
import { jetstream, jetstreamManager, AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ensureStreams } from "../src/ingest/main/streams";
import { bronzeTable } from "../src/schemas/bronze";
import { startNats } from "../testkit/nats";
import { mbp, trade } from "../testkit/ingest-messages";
import { BENCH_DAY, realtimeDay } from "./lib/realtime-day";

const { values: argv } = parseArgs({
  options: {
    trades: { type: "string", default: "1000000" },
    mbp: { type: "string", default: "500000" },
    buffer: { type: "string", default: "50000" },
    "ring-mb": { type: "string", default: "32" },
    profile: { type: "string" }, // directory: write the service's CPU profile (markdown) there
    "pull-batch": { type: "string", default: "2048" },
    client: { type: "string", default: "raw" }, // data path of lake serve: raw (own framing) | natsjs (consume())
    compaction: { type: "boolean", default: false }, // drain with and without background compaction of a real-time-shaped day
    scale: { type: "string", default: "normal" }, // that day's scale: light | normal
    runs: { type: "string", default: "1" }, // drains of the same backlog (consumers reset between); medians reported
    "keep-logs": { type: "string" },
    "serve-arg": { type: "string", multiple: true }, // extra `lake serve` flags, e.g. --serve-arg=--no-compact // directory: copy each drain's serve log there
  },
});
const N_TRADES = Number(argv.trades);
const N_MBP = Number(argv.mbp);
const ROOT = resolve(import.meta.dir, "..");

await using nats = await startNats();
const dir = mkdtempSync(join(tmpdir(), "lake-bench-ingest-"));
const nc = await connect({ servers: nats.url, noAsyncTraces: true });
const jsm = await jetstreamManager(nc);
await ensureStreams(jsm);

// ---- pre-fill -------------------------------------------------------------------------
const enc = new TextEncoder();
const POOL = 20_000; // distinct bodies, cycled (the bench measures throughput, not values)
const tradeBodies = Array.from({ length: Math.max(1, Math.min(POOL, N_TRADES)) }, (_, i) => enc.encode(trade(i).body));
const mbpBodies = Array.from({ length: Math.max(1, Math.min(POOL, N_MBP)) }, (_, i) => enc.encode(mbp(i).body));
let t = performance.now();
// Interleave the two subjects as a live feed would; core publish + flush, then check the count.
let it = 0;
let im = 0;
while (it < N_TRADES || im < N_MBP) {
  for (let k = 0; k < 2 && it < N_TRADES; k++, it++) nc.publish("market.futures.trades", tradeBodies[it % tradeBodies.length]!);
  if (im < N_MBP) nc.publish("market.futures.mbp10", mbpBodies[im++ % mbpBodies.length]!);
  if ((it + im) % 20_000 === 0) await nc.flush();
}
await nc.flush();
for (;;) {
  const s = (await jsm.streams.info("MARKET_DATA")).state;
  if (s.messages >= N_TRADES + N_MBP) break;
  await Bun.sleep(100);
}
const info = await jsm.streams.info("MARKET_DATA");
const lastSeq = info.state.last_seq;
const avgBytes = Math.round(info.state.bytes / info.state.messages);
console.log(`pre-filled ${N_TRADES} trades + ${N_MBP} MBP-10 (${(info.state.bytes / 1e6).toFixed(0)} MB, ~${avgBytes} B/msg stored) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

// Last stream sequence of each subject: the drain is complete when the watermark reaches it.
const lastOf = async (subject: string) => (await jsm.streams.getMessage("MARKET_DATA", { last_by_subj: subject }))!.seq;
const lastTrade = N_TRADES ? await lastOf("market.futures.trades") : 0;
const lastMbp = N_MBP ? await lastOf("market.futures.mbp10") : 0;

/** CPU seconds per thread of a process (utime + stime from /proc), to show where the drain's CPU goes. */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = st.slice(st.indexOf("(") + 1, st.lastIndexOf(")"));
      const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
      // Main thread = the thread whose id is the pid; workers are named "Worker".
      const key = Number(tid) === pid ? "main" : name === "Worker" ? "workers" : `[${name}]`;
      out.set(key, (out.get(key) ?? 0) + (Number(f[11]) + Number(f[12])) / 100 /* USER_HZ */);
    }
  } catch {
    // process gone
  }
  return out;
}

// ---- anchor: bare JetStream consume ---------------------------------------------------
async function anchor(subject: string | undefined, expected: number): Promise<number> {
  const name = `anchor_${Math.random().toString(36).slice(2, 8)}`;
  await jsm.consumers.add("MARKET_DATA", { durable_name: name, ack_policy: AckPolicy.All, deliver_policy: DeliverPolicy.All, max_ack_pending: 1_000_000, ...(subject ? { filter_subject: subject } : {}) });
  const c = await jetstream(nc).consumers.get("MARKET_DATA", name);
  const t0 = performance.now();
  const iter = await c.consume({ max_messages: 2048, threshold_messages: 1024 });
  let n = 0;
  let bytes = 0;
  for await (const m of iter) {
    bytes += m.data.length;
    if (++n % 1024 === 0 || n === expected) m.ack();
    if (n === expected) break;
  }
  const dt = (performance.now() - t0) / 1000;
  iter.stop();
  await jsm.consumers.delete("MARKET_DATA", name);
  return dt;
}
const natsCpu = () => [...threadCpu(nats.pid()!).values()].reduce((a, v) => a + v, 0);
const anchorCpu0 = [natsCpu(), threadCpu(process.pid).get("main") ?? 0];
const anchorAll = await anchor(undefined, N_TRADES + N_MBP);
const anchorCpu = [natsCpu() - anchorCpu0[0]!, (threadCpu(process.pid).get("main") ?? 0) - anchorCpu0[1]!];
console.log(`anchor: bare Bun JetStream consume of all ${N_TRADES + N_MBP} msgs: ${anchorAll.toFixed(2)} s = ${Math.round((N_TRADES + N_MBP) / anchorAll)} msgs/s; CPU: consumer main thread ${anchorCpu[1]!.toFixed(2)} s (${Math.round((100 * anchorCpu[1]!) / anchorAll)}%), nats-server ${anchorCpu[0]!.toFixed(2)} s (${Math.round((100 * anchorCpu[0]!) / anchorAll)}%)`);

// ---- the service ----------------------------------------------------------------------
interface Drain {
  total: number;
  peak: number;
  rate: number;
  log: string;
  lake: string;
}

/** One drain of the whole backlog through a fresh `lake serve` (its data root seeded from `seed`). */
async function drain(label: string, extraArgs: string[], seed: string | null): Promise<Drain> {
  const lake = join(dir, `lake-${label}`);
  if (seed) {
    cpSync(join(seed, "bronze"), join(lake, "bronze"), { recursive: true });
    // The seeded day is history: lake serve leaves hours that received a file within the
    // grace period (a backlog still landing there), and a copy's mtime is now.
    const old = new Date(Date.now() - 86_400_000);
    for (const k of new Bun.Glob("bronze/**/*").scanSync(lake)) utimesSync(join(lake, k), old, old);
  }
  const logFile = join(dir, `serve-${label}.log`);
  t = performance.now();
  const proc = Bun.spawn(
    ["bun", ...(argv.profile ? ["--cpu-prof-md", `--cpu-prof-dir=${resolve(argv.profile)}`] : []), "run", join(ROOT, "src/main.ts"), "serve", "--nats-url", nats.url, "--data-root", lake,
      "--bronze-buffer-limit", argv.buffer!, "--bronze-flush-interval", "0.5", "--summary-interval", "1", "--ring-mb", argv["ring-mb"]!, "--pull-batch", argv["pull-batch"]!, ...extraArgs],
    { cwd: ROOT, stdout: "ignore", stderr: Bun.file(logFile), env: { ...process.env, USE_S3: "false", LAKE_INGEST_CLIENT: argv.client! } },
  );
  const wm = (durable: string): number => {
    const p = join(lake, "_ingest", durable, "commit.json");
    try {
      return existsSync(p) ? JSON.parse(readFileSync(p, "utf8")).watermark : 0;
    } catch {
      return 0; // renamed mid-read
    }
  };
  const hwm = (): number => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, "utf8"));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  };
  const cpuDelta = (a: Map<string, number>, b: Map<string, number>) => [...b].map(([k, v]) => [k, v - (a.get(k) ?? 0)] as const);
  let cpuStartServe = new Map<string, number>();
  let cpuStartNats = new Map<string, number>();
  let cpuEndServe = new Map<string, number>();
  let cpuEndNats = new Map<string, number>();
  let started = 0;
  let doneTrades = 0;
  let doneMbp = 0;
  let peak = 0;
  const deadlineMs = Number(process.env.BENCH_DEADLINE_MS ?? 600_000);
  const deadline = Date.now() + deadlineMs;
  // A schema with no messages counts as drained from the start.
  while (((N_TRADES && !doneTrades) || (N_MBP && !doneMbp)) && Date.now() < deadline) {
    await Bun.sleep(20);
    peak = Math.max(peak, hwm());
    if (!started && existsSync(logFile) && readFileSync(logFile, "utf8").includes("lake serve running")) {
      started = performance.now();
      cpuStartServe = threadCpu(proc.pid);
      cpuStartNats = threadCpu(nats.pid()!);
    }
    if (N_TRADES && !doneTrades && wm(bronzeTable("futures.trades").durable) >= lastTrade) doneTrades = performance.now();
    if (N_MBP && !doneMbp && wm(bronzeTable("futures.mbp10").durable) >= lastMbp) doneMbp = performance.now();
  }
  const allDone = Math.max(doneTrades, doneMbp);
  peak = Math.max(peak, hwm());
  cpuEndServe = threadCpu(proc.pid);
  cpuEndNats = threadCpu(nats.pid()!);
  const loadAvg = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  proc.kill("SIGTERM");
  const code = await proc.exited;
  if ((N_TRADES && !doneTrades) || (N_MBP && !doneMbp)) {
    console.log(readFileSync(logFile, "utf8").slice(-4000));
    throw new Error(`drain did not complete within ${deadlineMs / 1000} s (BENCH_DEADLINE_MS)`);
  }
  const t0 = started || t;
  const s = (x: number) => (x - t0) / 1000;
  const total = s(allDone);
  console.log(`lake serve [${label}] (data client ${argv.client}, pull batch ${argv["pull-batch"]}, buffer ${argv.buffer} rows, ring ${argv["ring-mb"]} MiB/consumer), exit ${code}, startup ${((t0 - t) / 1000).toFixed(2)} s:`);
  if (N_TRADES) console.log(`  trades: ${N_TRADES} committed in ${s(doneTrades).toFixed(2)} s = ${Math.round(N_TRADES / s(doneTrades))} msgs/s (target ≥ 300000)`);
  if (N_MBP) console.log(`  mbp10 : ${N_MBP} committed in ${s(doneMbp).toFixed(2)} s = ${Math.round(N_MBP / s(doneMbp))} msgs/s (target ≥ 150000)`);
  console.log(`  all   : ${N_TRADES + N_MBP} in ${total.toFixed(2)} s = ${Math.round((N_TRADES + N_MBP) / total)} msgs/s; anchor ${Math.round((N_TRADES + N_MBP) / anchorAll)} msgs/s → ratio ${(anchorAll / total).toFixed(2)}× of bare consume`);
  console.log(`  peak RSS: ${(peak / 1024 / 1024).toFixed(0)} MiB (target < 1024 MiB); load average at the end: ${loadAvg}`);
  const fmtCpu = (d: (readonly [string, number])[]) => d.filter(([, v]) => v > 0.005).map(([k, v]) => `${k} ${v.toFixed(2)} s (${Math.round((100 * v) / total)}%)`).join(", ");
  console.log(`  CPU during the drain (${total.toFixed(2)} s wall; % of one core): serve: ${fmtCpu(cpuDelta(cpuStartServe, cpuEndServe))}; nats-server: ${fmtCpu([["all threads", cpuDelta(cpuStartNats, cpuEndNats).reduce((a, [, v]) => a + v, 0)]])}`);
  const serveLog = readFileSync(logFile, "utf8");
  const summary = serveLog.split("\n").filter((l) => l.includes("futures.trades ")).slice(-3);
  console.log(summary.join("\n"));
  if (argv["keep-logs"]) cpSync(logFile, join(resolve(argv["keep-logs"]), `serve-${label}.log`));
  if (!argv.compaction) rmSync(lake, { recursive: true, force: true }); // a 10M-message drain writes gigabytes (compaction mode inspects it)
  return { total, peak, rate: (N_TRADES + N_MBP) / total, log: serveLog, lake };
}

const COMPACTION = argv.compaction === true;
const resetConsumers = async () => {
  for (const k of ["futures.trades", "futures.mbp10"]) await jsm.consumers.delete("MARKET_DATA", bronzeTable(k).durable).catch(() => false);
};
if (!COMPACTION) {
  const runs: Drain[] = [];
  for (let i = 0; i < Math.max(1, Number(argv.runs)); i++) {
    if (i > 0) await resetConsumers();
    runs.push(await drain(Number(argv.runs) > 1 ? `run-${i + 1}` : "default", argv["serve-arg"] ?? [], null));
  }
  if (runs.length > 1) {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const rates = runs.map((r) => r.rate);
    const peaks = runs.map((r) => r.peak / 1024 / 1024);
    const anchorRate = (N_TRADES + N_MBP) / anchorAll;
    console.log(`\nmedian of ${runs.length} drains: ${Math.round(median(rates))} msgs/s = ${(median(rates) / anchorRate).toFixed(2)}× of bare consume (${rates.map((r) => Math.round(r)).join(", ")}); peak RSS median ${median(peaks).toFixed(0)} MiB (${peaks.map((p) => p.toFixed(0)).join(", ")})`);
  }
} else {
  // The same backlog drained three times into a lake already holding a real-time-shaped day of
  // closed hours (thousands of small files): with --no-compact, while the service compacts them
  // in the background (first pass after 1 s), and with --no-compact again. Same-run ratio.
  const seed = await realtimeDay(argv.scale === "light" ? "light" : "normal", 5);
  // without → with → without: neither warm-up nor a drifting load favours one side
  const before = await drain("no-compact-1", ["--no-compact"], seed);
  await resetConsumers();
  const withC = await drain("with-compaction", ["--compact-interval", "1", "--compact-retain", "0"], seed);
  const passes = withC.log.split("\n").filter((l) => l.includes("compacted closed hours"));
  const committed = [...new Bun.Glob(`bronze/**/date=${BENCH_DAY}/**/compact-*.json`).scanSync(withC.lake)].length;
  const hours = new Set([...new Bun.Glob(`bronze/**/date=${BENCH_DAY}/**/*.parquet`).scanSync(seed)].map((k) => k.slice(0, k.lastIndexOf("/")))).size;
  await resetConsumers();
  const after = await drain("no-compact-2", ["--no-compact"], seed);
  const without = (before.rate + after.rate) / 2;
  console.log(`\ningest during compaction: ${Math.round(withC.rate)} msgs/s vs ${Math.round(without)} msgs/s without (mean of ${Math.round(before.rate)} before and ${Math.round(after.rate)} after) → ${(withC.rate / without).toFixed(2)}× (target ≥ 0.8×)`);
  console.log(`  compaction during that drain: ${committed} of ${hours} seeded partition-hours committed when the drain ended; ${passes.length} pass(es) finished`);
  for (const l of passes) console.log(`  ${l.slice(0, 300)}`);
}
await nc.close();
rmSync(dir, { recursive: true, force: true });
