/**
 * Rows at the edges of an hour and of a day: the importer's hour split and its symbol
 * resolution skip the exact arithmetic for rows well inside the last row's hour or day, so
 * rows at, just before and just after an edge (and rows that step back across one) must land
 * exactly where integer arithmetic puts them.
 */
import { describe, expect, test } from "bun:test";
import { Frame } from "../../src/frame";
import { TradeColumns } from "../../src/dbn/columns";
import { splitByHour } from "../../src/dbn/partition";
import { tradeFrames } from "../../src/dbn/bronze-rows";
import { Symbology } from "../../src/dbn/symbology";

const HOUR = 3_600_000_000_000n;
const DAY = 24n * HOUR;
const D0 = BigInt(Date.parse("2026-03-09T00:00:00Z")) * 1_000_000n;

/** Around the edges of 2026-03-09 22:00 and 2026-03-10 00:00, and well inside their hours, some out of order. */
const edges = [D0 + 22n * HOUR, D0 + DAY];
const ts: bigint[] = [];
for (const e of edges) for (const d of [-HOUR / 2n, -1_000_001n, -1_000_000n, -999_999n, -1n, 0n, 1n, 999_999n, 1_000_000n, 1_000_001n, HOUR / 3n]) ts.push(e + d);
ts.push(D0 + 22n * HOUR - 1n, D0 + DAY + 5n, D0 + DAY - 2n, D0 + 23n * HOUR + 7n);

describe("hour and day edges", () => {
  test("splitByHour puts every row in the UTC hour of its exact timestamp", () => {
    const frame = new Frame([{ name: "ts_event_ns", type: "timestamp_ns", values: BigInt64Array.from(ts) }, { name: "i", type: "int32", values: Int32Array.from(ts.keys()) }], ts.length);
    const got = new Map<string, number[]>();
    for (const g of splitByHour(frame)) got.set(`${g.date}T${g.hour}`, Array.from(g.frame.values<Int32Array>("i")));
    const want = new Map<string, number[]>();
    for (const [i, t] of ts.entries()) {
      const iso = new Date(Number((t / HOUR) * HOUR / 1_000_000n)).toISOString();
      const k = `${iso.slice(0, 10)}T${iso.slice(11, 13)}`;
      want.set(k, [...(want.get(k) ?? []), i]);
    }
    expect(new Map([...got].map(([k, v]) => [k, [...v].sort((a, b) => a - b)]))).toEqual(want);
  });

  test("an instrument id that names another contract the next day resolves by each row's own day", () => {
    const sym = new Symbology();
    const mapping = (symbol: string, from: bigint, to: bigint) => ({ instrument_id: 7, stype_out_symbol: symbol, start_ts: from, end_ts: to });
    sym.addSymbolMapping(mapping("ESH6", D0, D0 + DAY - 1n));
    sym.addSymbolMapping(mapping("ESM6", D0 + DAY, D0 + 2n * DAY - 1n));
    const c = new TradeColumns(ts.length);
    for (const [r, t] of ts.entries()) {
      c.tsEvent[r] = t;
      c.instrumentId[r] = 7;
      c.price[r] = 7000;
      c.size[r] = 1;
      c.seq[r] = BigInt(r);
    }
    c.n = ts.length;
    const { futures } = tradeFrames(c, sym, "trades", "CME", {});
    expect(futures!.values<string[]>("symbol")).toEqual(ts.map((t) => (t < D0 + DAY ? "ESH6" : "ESM6")));
  });
});
