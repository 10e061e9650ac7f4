import { describe, expect, test } from "bun:test";
import { concatFrames, type Frame } from "../../src/frame";
import { BronzeReader } from "../../src/read/bronze-reader";
import { sortedByTs } from "../../src/read/scan";
import { bronzeTable, FUTURES_TRADES } from "../../src/schemas/bronze";
import { tempLake } from "./lake-fixture";

const H14 = 1_772_719_200_000_000_000n; // 2026-03-05T14:00:00Z
const HOUR = 3_600_000_000_000n;

function trade(ts: bigint, seq: number | null, price: number) {
  return { ts_event_ns: ts, ts_recv_ns: ts + 1000n, source: "t", symbol: "ESH6", price, size: 1, aggressor: 1, exchange: null, conditions: null, seq };
}

async function all(frames: AsyncIterable<Frame>): Promise<Frame> {
  const parts: Frame[] = [];
  for await (const f of frames) parts.push(f);
  return concatFrames(parts);
}

describe("BronzeReader.stream sorts one partition hour at a time, with the same row order as read()", () => {
  test("two interleaved writer files in one hour, a single file in the next, ties on ts and seq", async () => {
    using lake = tempLake();
    const base = "bronze/futures/trades/symbol=ES/date=2026-03-05";
    // Hour 14: two files whose rows interleave in time, with equal ts (seq breaks the tie) and a null seq.
    lake.write(FUTURES_TRADES, `${base}/hour=14/part-a.parquet`, [trade(H14 + 10n, 5, 1), trade(H14 + 30n, 7, 2), trade(H14 + 50n, null, 3)]);
    lake.write(FUTURES_TRADES, `${base}/hour=14/part-b.parquet`, [trade(H14 + 20n, 6, 4), trade(H14 + 30n, 2, 5), trade(H14 + 50n, 9, 6)]);
    // Hour 15: one lake-written file (sorted, declares its sorting columns): streamed without a sort.
    const single = lake.write(FUTURES_TRADES, `${base}/hour=15/part-c.parquet`, [trade(H14 + HOUR + 5n, 1, 7), trade(H14 + HOUR + 5n, 3, 8), trade(H14 + HOUR + 9n, null, 9)]);
    expect(await sortedByTs(single, ["seq"])).toBe(true);

    const reader = new BronzeReader(lake.root);
    const table = bronzeTable("futures.trades");
    const opts = { date: "2026-03-05", frontMonthOnly: false };
    const whole = await reader.read(table, "ES", opts);
    const streamed = await all(reader.stream(table, "ES", opts, 2));
    expect(Array.from(streamed.values<Float64Array>("price"))).toEqual([1, 4, 5, 2, 6, 3, 7, 8, 9]);
    expect(Array.from(streamed.values<Float64Array>("price"))).toEqual(Array.from(whole.values<Float64Array>("price")));
    expect(Array.from(streamed.values<BigInt64Array>("ts_event_ns"))).toEqual(Array.from(whole.values<BigInt64Array>("ts_event_ns")));
  });
});
