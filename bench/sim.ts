/**
 * bench:sim — the simulator's hot paths, each next to an anchor measured in the same run:
 *   1. a 5-day normal-scale Bronze lake (generate + encodeParquet + local Store), vs the anchor
 *      of only encoding + writing the same frames (so the ratio is the generator's overhead);
 *   1b. one large day (--large-mbp-rate, default 400 MBP-10 updates/s) generated hour by hour and
 *      written, as `lake simulate --to bronze` does: rows per CPU second of generation + write,
 *      vs the anchor of the encode+write steps alone on the same hours (CPU time, since the
 *      machine may be shared; wall time is printed next to it);
 *   2. wire encoding (§1 Python-json bytes) vs JSON.stringify of row objects (the naive way);
 *   3. JetStream publishing with acks: async-ack PacedSender vs `js.publish` per message.
 * Usage: bun run bench:sim [--days 5] [--scale normal] [--large-mbp-rate 400]
 */
import { reexecWithBatchAllocator } from "../src/runtime/allocator";
import { jetstream } from "@nats-io/jetstream";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeBronzeDay } from "../src/sim/bronze";
import { generateDay, generateDayByHour, tradingDates, type SimDay } from "../src/sim/day";
import { openPublisher, publishAll } from "../src/sim/publish";
import type { ScaleName } from "../src/sim/scale";
import { wireMessages } from "../src/sim/wire";
import { localStore } from "../src/storage";
import { startNats } from "../testkit/nats";

// measured as the lake's batch commands run: with their allocator setting (src/runtime/allocator.ts)
reexecWithBatchAllocator();

const { values } = parseArgs({
  options: { days: { type: "string", default: "5" }, scale: { type: "string", default: "normal" }, "large-mbp-rate": { type: "string", default: "400" } },
});
const days = Number(values.days);
const scale = values.scale as ScaleName;
const dates = tradingDates("2026-03-02", days);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

// 1. Bronze lake
const dirA = mkdtempSync(join(tmpdir(), "bench-sim-a-"));
const dirB = mkdtempSync(join(tmpdir(), "bench-sim-b-"));
let t0 = performance.now();
const kept: SimDay[] = [];
for (const date of dates) {
  const day = generateDay({ date, seed: 7, scale, signals: false });
  await writeBronzeDay(localStore(dirA), day);
  kept.push(day);
}
const lakeS = (performance.now() - t0) / 1000;
t0 = performance.now();
for (const day of kept) await writeBronzeDay(localStore(dirB), day);
const writeOnlyS = (performance.now() - t0) / 1000;
const rows = kept.reduce((s, d) => s + d.trades.numRows + d.mbp10.numRows + d.options.numRows, 0);
console.log(`${days}-day ${scale} Bronze lake: ${lakeS.toFixed(2)} s (${fmt(rows)} rows) | anchor encode+write only: ${writeOnlyS.toFixed(2)} s | ratio ${(lakeS / writeOnlyS).toFixed(2)}`);
rmSync(dirA, { recursive: true, force: true });
rmSync(dirB, { recursive: true, force: true });

// 1b. a large day, hour by hour
{
  const dir = mkdtempSync(join(tmpdir(), "bench-sim-large-"));
  const store = localStore(dir);
  const cpuS = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;
  const rates = { tradesPerSec: 12, mbpPerSec: Number(values["large-mbp-rate"]), optionsPerSec: 1.5, signalIntervalMs: 0 };
  const hours = generateDayByHour({ date: dates[0]!, seed: 7, rates });
  let genCpu = 0;
  let writeCpu = 0;
  let largeRows = 0;
  const wall0 = performance.now();
  for (;;) {
    let c = process.cpuUsage();
    const step = hours.next();
    genCpu += cpuS(process.cpuUsage(c));
    c = process.cpuUsage();
    if (step.done) {
      await writeBronzeDay(store, { ...step.value, mbp10: step.value.mbp10 }, { tables: ["futures.trades", "options.trades"] });
      largeRows += step.value.trades.numRows + step.value.options.numRows;
    } else {
      await writeBronzeDay(store, { trades: step.value, mbp10: step.value, options: step.value, seed: 7 }, { tables: ["futures.mbp10"] });
      largeRows += step.value.numRows;
    }
    writeCpu += cpuS(process.cpuUsage(c));
    if (step.done) break;
  }
  const wallS = (performance.now() - wall0) / 1000;
  const total = genCpu + writeCpu;
  console.log(
    `large day (12 trades/s, ${rates.mbpPerSec} MBP-10/s, 1.5 options/s) generate+write: ${fmt(largeRows / total)} rows/s of CPU (${fmt(largeRows)} rows, ${total.toFixed(1)} CPU s, ${wallS.toFixed(1)} s wall) | anchor encode+write only: ${fmt(largeRows / writeCpu)} rows/s of CPU (${writeCpu.toFixed(1)} CPU s) | ratio ${(total / writeCpu).toFixed(2)}`,
  );
  rmSync(dir, { recursive: true, force: true });
}

// 2. wire encoding
const day = generateDay({ date: dates[0]!, seed: 7, scale });
t0 = performance.now();
let n = 0;
for (const m of wireMessages(day)) n += m.data.length > 0 ? 1 : 0;
const oursS = (performance.now() - t0) / 1000;
t0 = performance.now();
const enc = new TextEncoder();
let a = 0;
const big = (_k: string, v: unknown) => (typeof v === "bigint" ? Number(v) : v);
for (const f of [day.trades, day.mbp10, day.options]) for (const r of f.rows()) a += enc.encode(JSON.stringify(r, big)).length > 0 ? 1 : 0;
for (const p of day.signals) a += enc.encode(JSON.stringify(p)).length > 0 ? 1 : 0;
const naiveS = (performance.now() - t0) / 1000;
console.log(`wire encode: ${fmt(n / oursS)} msg/s (exact §1 bytes) | anchor JSON.stringify(row objects, lossy ns): ${fmt(a / naiveS)} msg/s | ratio ${(naiveS / oursS).toFixed(2)}x`);

// 3. publishing with acks
{
  await using nats = await startNats();
  await using pub = await openPublisher(nats.url);
  const msgs = [...wireMessages(day)].slice(0, 100_000);
  const ours = await publishAll(pub.nc, msgs);
  const js = jetstream(pub.nc);
  t0 = performance.now();
  const window: Promise<unknown>[] = [];
  for (const m of msgs) {
    window.push(js.publish(m.subject, m.data));
    if (window.length >= 8192) await Promise.all(window.splice(0, 4096));
  }
  await Promise.all(window);
  const anchorRate = msgs.length / ((performance.now() - t0) / 1000);
  console.log(`JetStream publish+ack: ${fmt(ours.rate)} msg/s | anchor js.publish (8192 in flight): ${fmt(anchorRate)} msg/s | ratio ${(ours.rate / anchorRate).toFixed(2)}x`);
}
