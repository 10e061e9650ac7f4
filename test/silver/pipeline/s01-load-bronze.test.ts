/** S1 LoadBronze (§5.1) on tiny in-memory Bronze: ordering, MBP downsampling, edge cases. */
import { describe, expect, test } from "bun:test";
import { correctedConfig } from "../../../src/silver/pipeline/config";
import { frameInput } from "../../../src/silver/pipeline/bronze-input";
import loadBronze, { downsampleWinners, mbpWindow } from "../../../src/silver/pipeline/stages/s01-load-bronze";
import { context, daysOf, et, mbpFrame, optionsFrame, tradesFrame } from "./stage-test-helpers";

const D = "2026-01-14";
const someMbp = () => mbpFrame([{ ts: et(D, "10:00") }]);
const someTrades = () => tradesFrame([{ ts: et(D, "10:00"), price: 7000 }]);

describe("S1 LoadBronze", () => {
  test("sorts trades by (ts, seq) so equal timestamps keep a deterministic order", async () => {
    const ts = et(D, "10:00");
    const ctx = context(D, {
      bronze: frameInput({
        trades: { [D]: tradesFrame([{ ts: ts + 5n, price: 7001, seq: 3 }, { ts, price: 7002, seq: 9 }, { ts, price: 7003, seq: 4 }]) },
        mbp10: { [D]: someMbp() },
      }),
    });
    await loadBronze.run(ctx);
    expect(Array.from(ctx.trades!.price)).toEqual([7003, 7002, 7001]);
    expect(Array.from(ctx.trades!.t)).toEqual([Number(ts - ctx.originNs), Number(ts - ctx.originNs), Number(ts + 5n - ctx.originNs)]);
  });

  test("maps a null or out-of-set trade aggressor to 0 (§1.2)", async () => {
    const ts = et(D, "10:00");
    const ctx = context(D, {
      bronze: frameInput({
        trades: { [D]: tradesFrame([{ ts, price: 7000, aggressor: 1 }, { ts: ts + 1n, price: 7000, aggressor: null }, { ts: ts + 2n, price: 7000, aggressor: 5 }, { ts: ts + 3n, price: 7000, aggressor: -1 }]) },
        mbp10: { [D]: someMbp() },
      }),
    });
    await loadBronze.run(ctx);
    expect(Array.from(ctx.trades!.aggressor)).toEqual([1, 0, 0, -1]);
  });

  test("bucket index rounds half to even: T0+125 ms joins bucket 0, T0+375 ms joins bucket 2", () => {
    const ms = (x: number) => x * 1e6;
    // rows (sorted): 0, 125 ms (bucket 0.5 → 0), 130 ms (→ 1), 375 ms (1.5 → 2), 380 ms (→ 2)
    const since = Float64Array.from([0, ms(125), ms(130), ms(375), ms(380)]);
    expect(Array.from(downsampleWinners(since, ms(250), false))).toEqual([1, 2, 4]);
    // [FIX] floor buckets: [0,250) → rows 0..2, [250,500) → rows 3..4
    expect(Array.from(downsampleWinners(since, ms(250), true))).toEqual([2, 4]);
  });

  test("keeps the latest snapshot per bucket; equal ts ties go to the highest seq", async () => {
    const ctx = context(D);
    const { t0, t1 } = mbpWindow(ctx);
    const ms = 1_000_000n;
    const rows = [
      { ts: t0 - 1n, bidSz1: 1 }, // before the window
      { ts: t0, bidSz1: 2 },
      { ts: t0 + 100n * ms, bidSz1: 3, seq: 7 }, // bucket 0, tie at the same ts …
      { ts: t0 + 100n * ms, bidSz1: 4, seq: 5 }, // … lower seq loses although later in file
      { ts: t0 + 200n * ms, bidSz1: 5 }, // bucket 1
      { ts: t1, bidSz1: 6 }, // inclusive upper bound
      { ts: t1 + 1n, bidSz1: 7 },
    ];
    ctx.bronze = frameInput({ trades: { [D]: someTrades() }, mbp10: { [D]: mbpFrame(rows) } });
    await loadBronze.run(ctx);
    expect(Array.from(ctx.mbp!.bidSz[0]!)).toEqual([3, 5, 6]);
    expect(ctx.mbp!.ts[2]).toBe(t1);
  });

  test("the load window is 09:26–16:04 ET, DST-aware", () => {
    const utc = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;
    expect(mbpWindow(context("2026-01-14"))).toEqual({ t0: utc("2026-01-14T14:26:00Z"), t1: utc("2026-01-14T21:04:00Z") });
    expect(mbpWindow(context("2025-07-15"))).toEqual({ t0: utc("2025-07-15T13:26:00Z"), t1: utc("2025-07-15T20:04:00Z") });
  });

  test("an empty day (no trades) aborts with the partition in the message", async () => {
    const ctx = context(D, { bronze: frameInput({ mbp10: { [D]: someMbp() } }) });
    await expect(loadBronze.run(ctx)).rejects.toThrow(/no ES futures trades.*date=2026-01-14/);
  });

  test("no MBP-10 rows inside the load window aborts", async () => {
    const ctx = context(D, { bronze: frameInput({ trades: { [D]: someTrades() }, mbp10: { [D]: mbpFrame([{ ts: et(D, "08:00") }]) } }) });
    await expect(loadBronze.run(ctx)).rejects.toThrow(/no ES MBP-10 rows/);
  });

  test("a day without options loads an empty options table (not an error)", async () => {
    const ctx = context(D, { bronze: frameInput({ trades: { [D]: someTrades() }, mbp10: { [D]: someMbp() } }) });
    await loadBronze.run(ctx);
    expect(ctx.options!.n).toBe(0);
  });

  test("normalises date32 exp_date to YYYY-MM-DD and keeps null aggressors as NaN (D-19, D-20)", async () => {
    const ts = et(D, "10:00");
    const ctx = context(D, {
      bronze: frameInput({
        trades: { [D]: someTrades() },
        mbp10: { [D]: someMbp() },
        options: { [D]: optionsFrame([{ ts, strike: 7000, right: "C", expDays: daysOf(D) }, { ts, strike: 7005, right: "P", expDays: daysOf("2026-01-15"), aggressor: null }]) },
      }),
    });
    await loadBronze.run(ctx);
    expect(ctx.options!.expDate).toEqual(["2026-01-14", "2026-01-15"]);
    expect(ctx.options!.aggressor[0]).toBe(1);
    expect(Number.isNaN(ctx.options!.aggressor[1]!)).toBe(true);
  });

  test("the corrected variant floors MBP buckets", async () => {
    const ctx = context(D, { variant: "corrected", cfg: correctedConfig() });
    const { t0 } = mbpWindow(ctx);
    const ms = 1_000_000n;
    ctx.bronze = frameInput({ trades: { [D]: someTrades() }, mbp10: { [D]: mbpFrame([{ ts: t0, bidSz1: 1 }, { ts: t0 + 200n * ms, bidSz1: 2 }, { ts: t0 + 300n * ms, bidSz1: 3 }]) } });
    await loadBronze.run(ctx);
    expect(Array.from(ctx.mbp!.bidSz[0]!)).toEqual([2, 3]);
  });
});
