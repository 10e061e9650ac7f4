/**
 * Chaos run for `lake serve` (not part of `bun test`): `bun run chaos -- --minutes N`.
 *
 * Everything on loopback, in a temp dir: a private nats-server, a publisher at a steady
 * mixed rate (trades, MBP-10, options, signals, and bursts of bad messages), and lake
 * serve instances (all with --standby, so one owns and one waits) while a driver injects,
 * at random, one fault every few seconds:
 *   kill      SIGKILL the owner (a new standby is started)
 *   second    start a second instance without --standby (it must refuse: exit 1)
 *   pause     SIGSTOP the owner past the lease TTL, then SIGCONT (it must exit 1, writing nothing)
 *   nats      restart nats-server (SIGTERM or SIGKILL)
 *   readonly  make the data root read-only for a few seconds
 *   bad       a burst of bad messages (quarantined)
 * At the end every published (stream, sequence) must be in Bronze/Gold or the quarantine
 * exactly once. Exit 1 otherwise. Run as root, the lake processes drop to uid 65534 so that
 * a read-only directory really is read-only to them.
 */
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { duckConnect } from "../src/runtime/duckdb-native";
import { ensureStreams } from "../src/ingest/main/streams";
import { jetstreamManager } from "@nats-io/jetstream";
import { startNats } from "../testkit/nats";
import { gen, type Subject } from "../testkit/ingest-messages";

const { values: args } = parseArgs({
  args: Bun.argv.slice(2),
  options: { minutes: { type: "string", default: "2" }, rate: { type: "string", default: "300" }, "lease-ttl": { type: "string", default: "4" }, keep: { type: "boolean", default: false } },
});
const MINUTES = Number(args.minutes);
const RATE = Number(args.rate);
const TTL_S = Number(args["lease-ttl"]);
if (!(MINUTES > 0 && MINUTES <= 120) || !(RATE > 0) || !(TTL_S >= 1)) throw new Error("usage: bun run chaos -- --minutes N (≤ 120) [--rate MSGS_PER_S] [--lease-ttl S] [--keep]");

const ROOT = resolve(import.meta.dir, "..");
const work = mkdtempSync(join(tmpdir(), "lake-chaos-"));
const dataRoot = join(work, "lake");
mkdirSync(dataRoot, { recursive: true });
const asRoot = process.getuid?.() === 0;
const DROP = asRoot && Bun.which("setpriv") ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] : [];
if (DROP.length) {
  chownSync(work, 65534, 65534);
  chownSync(dataRoot, 65534, 65534);
}
const rand = (lo: number, hi: number) => lo + Math.random() * (hi - lo);
const say = (msg: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${msg}`);

// ---- processes -------------------------------------------------------------------------
const nats = await startNats({ storeDir: join(work, "nats") });
interface Instance { id: number; proc: ReturnType<typeof Bun.spawn>; logFile: string; standby: boolean }
const instances: Instance[] = [];
let nextId = 1;
const alive = (i: Instance) => i.proc.exitCode === null && i.proc.signalCode === null;
const logOf = (i: Instance) => (existsSync(i.logFile) ? readFileSync(i.logFile, "utf8") : "");
const running = (i: Instance) => alive(i) && logOf(i).includes("lake serve running");

function startInstance(standby = true): Instance {
  const id = nextId++;
  const logFile = join(work, `serve-${id}.log`);
  const cmd = [...DROP, process.execPath, "run", join(ROOT, "src/main.ts"), "serve", "--nats-url", nats.url, "--data-root", dataRoot,
    "--bronze-flush-interval", "0.5", "--gold-flush-interval", "0.5", "--bronze-buffer-limit", "2000", "--lease-ttl", String(TTL_S), "--summary-interval", "30",
    ...(standby ? ["--standby"] : [])];
  const proc = Bun.spawn(cmd, { cwd: ROOT, stdin: "ignore", stdout: "ignore", stderr: Bun.file(logFile), env: { ...process.env, HOME: work, LAKE_LOG_LEVEL: "info", USE_S3: "false" } });
  const inst = { id, proc, logFile, standby };
  instances.push(inst);
  return inst;
}
const killAll = () => {
  for (const i of instances) if (alive(i)) { try { process.kill(i.proc.pid, "SIGCONT"); i.proc.kill("SIGKILL"); } catch {} }
};
process.on("exit", killAll);
process.on("SIGINT", () => process.exit(130));

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await Bun.sleep(100);
  }
  return cond();
}
const owner = () => instances.find(running) ?? null;
const standbys = () => instances.filter((i) => alive(i) && i.standby && !running(i));

// ---- publisher ---------------------------------------------------------------------------
const pubConn = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
await ensureStreams(await jetstreamManager(pubConn));
const js: JetStreamClient = jetstream(pubConn, { timeout: 5_000 });
const enc = new TextEncoder();
const MIX: [Subject, number][] = [["market.futures.trades", 0.5], ["market.futures.mbp10", 0.25], ["market.options.trades", 0.15], ["levels.signals", 0.1]];
const STREAM_OF = (s: string) => (s.startsWith("levels.") ? "LEVEL_SIGNALS" : "MARKET_DATA");
const counters = new Map<Subject, number>(MIX.map(([s]) => [s, 0]));
/** Published good messages: `${stream}:${seq}` → subject + row keys. */
const good = new Map<string, { subject: Subject; keys: string[] }>();
const bad = new Map<string, string>(); // `${subject}:${seq}` → kind
const lastSeq = new Map<string, number>();
let badQueue: { subject: Subject; body: Uint8Array; kind: string }[] = [];
let published = 0;
let publishing = true;

function rowKeys(subject: Subject, rows: Record<string, unknown>[]): string[] {
  return rows.map((r) => (subject === "levels.signals" ? `${r.ts_event_ns}|${r.level_id}` : String(r.seq)));
}

async function publishOne(subject: Subject, body: Uint8Array, msgID: string): Promise<number> {
  for (;;) {
    try {
      const ack = await js.publish(subject, body, { msgID, timeout: 5_000 });
      return ack.seq;
    } catch {
      await Bun.sleep(200); // server restarting: same msgID, so a retry after a lost ack is deduplicated
    }
  }
}

const publisher = (async () => {
  const tick = 100;
  const perTick = Math.max(1, Math.round((RATE * tick) / 1000));
  while (publishing || badQueue.length) {
    const t0 = Date.now();
    const jobs: Promise<void>[] = [];
    for (let k = 0; k < perTick; k++) {
      let r = Math.random();
      const subject = MIX.find(([, w]) => (r -= w) < 0)?.[0] ?? "market.futures.trades";
      const i = counters.get(subject)!;
      counters.set(subject, i + 1);
      const m = gen(subject, i);
      jobs.push(publishOne(subject, enc.encode(m.body), `${subject}-${i}`).then((seq) => {
        good.set(`${STREAM_OF(subject)}:${seq}`, { subject, keys: rowKeys(subject, m.rows) });
        lastSeq.set(subject, Math.max(lastSeq.get(subject) ?? 0, seq));
      }));
    }
    for (const b of badQueue.splice(0)) {
      const id = `bad-${published}-${Math.random()}`;
      jobs.push(publishOne(b.subject, b.body, id).then((seq) => {
        bad.set(`${b.subject}:${seq}`, b.kind);
        lastSeq.set(b.subject, Math.max(lastSeq.get(b.subject) ?? 0, seq));
      }));
    }
    await Promise.all(jobs);
    published += jobs.length;
    await Bun.sleep(Math.max(0, tick - (Date.now() - t0)));
  }
})();

const BAD_KINDS: [string, () => Uint8Array][] = [
  ["not json", () => enc.encode("{not json")],
  ["truncated", () => enc.encode(gen("market.futures.trades", 1).body.slice(0, 40))],
  ["wrong type", () => enc.encode('{"ts_event_ns":"yesterday","price":"x"}')],
  ["empty", () => new Uint8Array(0)],
  ["binary", () => Uint8Array.from({ length: 64 }, () => Math.floor(Math.random() * 256))],
  ["array", () => enc.encode("[1,2,3]")],
];

// ---- faults --------------------------------------------------------------------------------
const faults = { kill: 0, second: 0, secondRefused: 0, pause: 0, pausedOwnerExited1: 0, natsRestart: 0, natsKill: 0, readonly: 0, bad: 0, badMessages: 0 };

function setWritable(dir: string, writable: boolean): void {
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      chmodSync(p, writable ? 0o755 : 0o555);
      for (const e of readdirSync(p)) walk(join(p, e));
    } else chmodSync(p, writable ? 0o644 : 0o444);
  };
  walk(dir);
}

async function ensureCast(): Promise<void> {
  if (!instances.some(alive)) startInstance();
  await waitFor(() => owner() !== null, 60_000);
  if (standbys().length === 0) startInstance();
  await waitFor(() => standbys().some((s) => logOf(s).includes("standing by")), 30_000);
}

const driver: Record<string, () => Promise<void>> = {
  async kill() {
    const o = owner();
    if (!o) return;
    faults.kill++;
    o.proc.kill("SIGKILL");
    await o.proc.exited;
    say(`kill: SIGKILLed owner #${o.id}`);
  },
  async second() {
    faults.second++;
    const s = startInstance(false);
    await waitFor(() => !alive(s) || running(s), 60_000);
    if (!alive(s) && s.proc.exitCode === 1 && logOf(s).includes("is owned by")) faults.secondRefused++;
    say(`second: instance #${s.id} ${!alive(s) ? `exited ${s.proc.exitCode}` : "runs (no owner was alive)"}`);
  },
  async pause() {
    const o = owner();
    if (!o || standbys().length === 0) return;
    faults.pause++;
    o.proc.kill("SIGSTOP");
    await Bun.sleep((TTL_S + 2) * 1000);
    o.proc.kill("SIGCONT");
    const exited = await waitFor(() => !alive(o), 30_000);
    if (exited && o.proc.exitCode === 1 && logOf(o).includes("lost the lease")) faults.pausedOwnerExited1++;
    say(`pause: owner #${o.id} stopped ${TTL_S + 2} s, after SIGCONT ${exited ? `exited ${o.proc.exitCode}` : "still running"}`);
  },
  async nats() {
    if (Math.random() < 0.5) {
      faults.natsRestart++;
      await nats.restart();
    } else {
      faults.natsKill++;
      await nats.kill();
      await Bun.sleep(rand(200, 1500));
      await nats.start();
    }
    say("nats: restarted");
  },
  async readonly() {
    if (!DROP.length) return; // as root without setpriv nothing is read-only
    faults.readonly++;
    setWritable(dataRoot, false);
    await Bun.sleep(rand(2000, 5000));
    setWritable(dataRoot, true);
    say("readonly: data root writable again");
  },
  async bad() {
    faults.bad++;
    const n = Math.floor(rand(3, 20));
    for (let k = 0; k < n; k++) {
      const [kind, body] = BAD_KINDS[Math.floor(Math.random() * BAD_KINDS.length)]!;
      badQueue.push({ subject: MIX[Math.floor(Math.random() * MIX.length)]![0], body: body(), kind });
    }
    faults.badMessages += n;
    say(`bad: ${n} bad messages queued`);
  },
};
const WEIGHTS: [string, number][] = [["kill", 3], ["second", 1], ["pause", 1.5], ["nats", 1.5], ["readonly", 1.5], ["bad", 2]];

say(`chaos: ${MINUTES} min, ${RATE} msg/s, lease TTL ${TTL_S} s, work dir ${work}${DROP.length ? " (lake runs as uid 65534)" : ""}`);
const endAt = Date.now() + MINUTES * 60_000;
while (Date.now() < endAt) {
  await ensureCast();
  await Bun.sleep(rand(2000, 8000));
  let r = Math.random() * WEIGHTS.reduce((s, [, w]) => s + w, 0);
  const fault = WEIGHTS.find(([, w]) => (r -= w) < 0)?.[0] ?? "bad";
  await driver[fault]!();
  if (fault === "kill" || fault === "pause") await Bun.sleep(rand(0, 1000));
}

// ---- settle and check -------------------------------------------------------------------
publishing = false;
await publisher;
await ensureCast();
say(`published ${good.size} good + ${bad.size} bad messages; waiting for every one to be committed`);
const DURABLES: Record<Subject, string> = {
  "market.futures.trades": "bronze_writer_market_futures_trades",
  "market.futures.mbp10": "bronze_writer_market_futures_mbp10",
  "market.options.trades": "bronze_writer_market_options_trades",
  "levels.signals": "gold_writer_levels_signals",
};
const watermark = (d: string) => {
  try {
    return JSON.parse(readFileSync(join(dataRoot, "_ingest", d, "commit.json"), "utf8")).watermark as number;
  } catch {
    return 0;
  }
};
const committed = await waitFor(() => MIX.every(([s]) => watermark(DURABLES[s]) >= (lastSeq.get(s) ?? 0)), 180_000);
for (const i of instances) if (alive(i)) i.proc.kill("SIGTERM");
await Promise.all(instances.map((i) => Promise.race([i.proc.exited, Bun.sleep(60_000)])));
await pubConn.close();

const seen = new Map<string, number>();
using conn = await duckConnect({ threads: 1 });
const TABLES: [Subject, string, string][] = [
  ["market.futures.trades", "bronze/futures/trades", "CAST(seq AS VARCHAR)"],
  ["market.futures.mbp10", "bronze/futures/mbp10", "CAST(seq AS VARCHAR)"],
  ["market.options.trades", "bronze/options/trades", "CAST(seq AS VARCHAR)"],
  ["levels.signals", "gold/levels/signals", "CAST(ts_event_ns AS VARCHAR) || '|' || level_id"],
];
let rows = 0;
for (const [subject, dir, key] of TABLES) {
  if (!existsSync(join(dataRoot, dir))) continue;
  const r = await conn.runAndReadAll(`SELECT ${key} AS k FROM read_parquet('${join(dataRoot, dir)}/**/*.parquet', hive_partitioning = false)`);
  for (const [k] of r.getRows()) {
    const id = `${subject}|${k}`;
    seen.set(id, (seen.get(id) ?? 0) + 1);
    rows++;
  }
}
const quarantined = new Map<string, number>();
const qRoot = join(dataRoot, "_quarantine");
if (existsSync(qRoot)) {
  for (const f of readdirSync(qRoot, { recursive: true }) as string[]) {
    if (!f.endsWith(".ndjson") || f.includes(".lake-tmp-")) continue;
    for (const line of readFileSync(join(qRoot, f), "utf8").split("\n")) {
      if (!line) continue;
      const q = JSON.parse(line) as { subject: string; stream_seq: number };
      const id = `${q.subject}:${q.stream_seq}`;
      quarantined.set(id, (quarantined.get(id) ?? 0) + 1);
    }
  }
}
let missing = 0;
let duplicated = 0;
for (const { subject, keys } of good.values()) {
  for (const k of keys) {
    const c = seen.get(`${subject}|${k}`) ?? 0;
    if (c === 0) missing++;
    else if (c > 1) duplicated++;
  }
}
let qMissing = 0;
let qDuplicated = 0;
for (const id of bad.keys()) {
  const c = quarantined.get(id) ?? 0;
  if (c === 0) qMissing++;
  else if (c > 1) qDuplicated++;
}
const unexpectedQuarantine = [...quarantined.keys()].filter((k) => !bad.has(k)).length;
const expectedRows = [...good.values()].reduce((s, g) => s + g.keys.length, 0);
const logs = instances.map(logOf).join("\n");
const count = (re: RegExp) => logs.match(re)?.length ?? 0;

console.log("\nfaults injected");
console.table(faults);
console.log("service reactions (from the logs)");
console.table({
  instances: instances.length,
  takeovers: count(/took over the lease of a stopped owner/g),
  standbyWaits: count(/standing by:/g),
  refusedSecondInstances: count(/is owned by instance/g),
  leasesLost: count(/lost the lease on/g),
  halfFlushesUndone: count(/recovered a half-finished flush/g),
  commitRetries: count(/commit failed, will retry/g),
  natsDisconnects: count(/NATS disconnected/g),
});
console.log("result");
console.table({ publishedGood: good.size, publishedBad: bad.size, expectedRows, rowsInLake: rows, missing, duplicated, quarantined: [...quarantined.values()].reduce((a, b) => a + b, 0), quarantineMissing: qMissing, quarantineDuplicated: qDuplicated, unexpectedQuarantine, allCommitted: committed });
const ok = committed && missing === 0 && duplicated === 0 && qMissing === 0 && qDuplicated === 0 && unexpectedQuarantine === 0 && rows === expectedRows;
console.log(ok ? "CHAOS RUN PASSED: every published (stream, sequence) is in the lake or the quarantine exactly once" : `CHAOS RUN FAILED (work dir kept: ${work})`);
await nats.stop();
if (ok && !args.keep) rmSync(work, { recursive: true, force: true });
process.exit(ok ? 0 : 1);
