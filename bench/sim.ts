/**
 * bench:sim — the simulator's hot paths, each next to an anchor measured in the same run:
 *   1. a 5-day normal-scale Bronze lake (generate + encodeParquet + local Store), vs the anchor
 *      of only encoding + writing the same frames (so the ratio is the generator's overhead);
 *   2. wire encoding (§1 Python-json bytes) vs JSON.stringify of row objects (the naive way);
 *   3. JetStream publishing with acks: async-ack PacedSender vs `js.publish` per message.
 * Usage: bun run bench:sim [--days 5] [--scale normal]
 */
import { jetstream } from "@nats-io/jetstream";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeBronzeDay } from "../src/sim/bronze";
import { generateDay, tradingDates, type SimDay } from "../src/sim/day";
import { openPublisher, publishAll } from "../src/sim/publish";
import type { ScaleName } from "../src/sim/scale";
import { wireMessages } from "../src/sim/wire";
import { localStore } from "../src/storage";
import { startNats } from "../test/helpers/nats";

const { values } = parseArgs({ options: { days: { type: "string", default: "5" }, scale: { type: "string", default: "normal" } } });
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
