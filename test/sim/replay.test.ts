/**
 * Replay reads Bronze back into exactly the wire bytes the simulator published (so a replayed
 * day re-ingests to the same rows), and reads the predecessor's physical Bronze variant too.
 */
import { describe, expect, test } from "bun:test";
import { writeBronzeDay } from "../../src/sim/bronze";
import { generateDay } from "../../src/sim/day";
import { parseReplaySchemas, parseTimeBound, readReplayChunks, type ReplaySchema } from "../../src/sim/replay";
import { SUBJECTS, wireTexts } from "../../src/sim/wire";
import { localStore } from "../../src/storage";
import type { Store } from "../../src/storage/store";
import { tempDir } from "./helpers/lake";
import { FIXTURE_DAY_A } from "../../testkit/fixtures";

const FIXTURE = FIXTURE_DAY_A;

async function replayTexts(location: string, date: string, schemas?: ReplaySchema[], startNs?: bigint, endNs?: bigint): Promise<{ subject: string; json: string }[]> {
  const out: { subject: string; json: string }[] = [];
  for await (const chunk of readReplayChunks({ location, date, schemas, startNs, endNs })) {
    for (const m of wireTexts(chunk, schemas)) out.push({ subject: m.subject, json: m.json });
  }
  return out;
}

describe("replay from Bronze", () => {
  test("a simulated day replays to the very bytes it was generated as, in (ts_event_ns, seq) order", async () => {
    using dir = tempDir("lake-sim-replay-");
    const day = generateDay({ date: "2026-03-10", seed: 9, scale: { tradesPerSec: 0.3, mbpPerSec: 0.1, optionsPerSec: 0.05, signalIntervalMs: 0 } });
    await writeBronzeDay(localStore(dir.path), day);
    const expected = [...wireTexts(day, ["trades", "mbp10", "options"])].map((m) => ({ subject: m.subject, json: m.json }));
    const got = await replayTexts(dir.path, "2026-03-10");
    expect(got.length).toBe(expected.length);
    let firstDiff = -1;
    for (let i = 0; i < got.length && firstDiff < 0; i++) if (got[i]!.json !== expected[i]!.json || got[i]!.subject !== expected[i]!.subject) firstDiff = i;
    expect(firstDiff === -1 ? null : { i: firstDiff, got: got[firstDiff], expected: expected[firstDiff] }).toBeNull();
  }, 60_000);

  test("a day is listed once per table, not once per hour", async () => {
    using dir = tempDir("lake-sim-replay-");
    const day = generateDay({ date: "2026-03-10", seed: 9, scale: { tradesPerSec: 0.3, mbpPerSec: 0.1, optionsPerSec: 0.05, signalIntervalMs: 0 } });
    const store = localStore(dir.path);
    await writeBronzeDay(store, day);
    const listed: string[] = [];
    const counting: Store = Object.assign(Object.create(store) as Store, { list: (prefix: string) => (listed.push(prefix), store.list(prefix)) });
    let rows = 0;
    for await (const chunk of readReplayChunks({ location: counting, date: "2026-03-10" })) rows += chunk.rows;
    expect(rows).toBe(day.trades.numRows + day.mbp10.numRows + day.options.numRows);
    expect(listed.length).toBe(3);
    expect(new Set(listed).size).toBe(3);
  }, 60_000);

  test("--schemas and --from/--to (New York time) select the messages", async () => {
    using dir = tempDir("lake-sim-replay-");
    const day = generateDay({ date: "2026-03-10", seed: 9, scale: { tradesPerSec: 0.3, mbpPerSec: 0.1, optionsPerSec: 0.05, signalIntervalMs: 0 } });
    await writeBronzeDay(localStore(dir.path), day);
    const from = parseTimeBound("2026-03-10", "10:00", "from")!;
    const to = parseTimeBound("2026-03-10", "10:15", "to")!;
    expect(new Date(Number(from / 1_000_000n)).toISOString()).toBe("2026-03-10T14:00:00.000Z"); // EDT
    const got = await replayTexts(dir.path, "2026-03-10", parseReplaySchemas("trades,options"), from, to);
    const ts = day.trades.values<BigInt64Array>("ts_event_ns");
    const ots = day.options.values<BigInt64Array>("ts_event_ns");
    const inWindow = (a: BigInt64Array) => a.filter((t) => t >= from && t <= to).length;
    expect(got.length).toBe(inWindow(ts) + inWindow(ots));
    expect(new Set(got.map((m) => m.subject))).toEqual(new Set([SUBJECTS.trades, SUBJECTS.options]));
  }, 60_000);

  test("the predecessor's Bronze (backfill variant, §2.5) replays in the §1 wire format", async () => {
    const from = parseTimeBound("2026-01-14", "10:00", "from")!;
    const to = parseTimeBound("2026-01-14", "10:05", "to")!;
    const got = await replayTexts(FIXTURE, "2026-01-14", undefined, from, to);
    const bySubject = new Map<string, string[]>();
    for (const m of got) bySubject.set(m.subject, [...(bySubject.get(m.subject) ?? []), m.json]);
    expect([...bySubject.keys()].sort()).toEqual([SUBJECTS.trades, SUBJECTS.mbp10, SUBJECTS.options].sort());
    const trade = JSON.parse(bySubject.get(SUBJECTS.trades)![0]!);
    expect(Object.keys(trade)).toEqual(["ts_event_ns", "ts_recv_ns", "source", "symbol", "price", "size", "aggressor", "exchange", "conditions", "seq"]);
    expect(trade.symbol).toMatch(/^ES[HM]6$/);
    expect(trade.conditions).toBeNull();
    const mbp = JSON.parse(bySubject.get(SUBJECTS.mbp10)![0]!);
    expect(mbp.levels.length).toBe(10);
    expect(Object.keys(mbp.levels[0])).toEqual(["bid_px", "bid_sz", "ask_px", "ask_sz"]);
    const opts = bySubject.get(SUBJECTS.options)!.map((s) => JSON.parse(s));
    expect(opts.every((o) => /^\d{4}-\d{2}-\d{2}$/.test(o.exp_date))).toBe(true);
    expect(opts.some((o) => o.opt_bid === null)).toBe(true);
    // int64 ns timestamps survive exactly and ascend across subjects
    let prev = 0n;
    for (const m of got) {
      const ts = BigInt(/"ts(?:_event_ns)?": (\d+)/.exec(m.json)![1]!);
      expect(ts >= prev).toBe(true);
      expect(ts >= from && ts <= to).toBe(true);
      prev = ts;
    }
  }, 60_000);
});
