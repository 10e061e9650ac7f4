import { beforeAll, describe, expect, test } from "bun:test";
import { generateDay, type SimDay } from "../../src/sim/day";

const TICK = 0.25;
const onGrid = (p: number, step: number) => Math.abs(p / step - Math.round(p / step)) < 1e-9;

let day: SimDay;
beforeAll(() => {
  day = generateDay({ date: "2026-03-04", seed: 11, scale: "light" });
});

describe("futures trades", () => {
  test("prices sit on the 0.25 tick grid, sizes are positive, aggressor is -1/0/1", () => {
    const price = day.trades.values<Float64Array>("price");
    const size = day.trades.values<Int32Array>("size");
    const aggr = day.trades.values<Int8Array>("aggressor");
    expect(day.trades.numRows).toBeGreaterThan(5_000);
    for (let i = 0; i < price.length; i++) {
      if (!onGrid(price[i]!, TICK) || !(size[i]! >= 1) || ![-1, 0, 1].includes(aggr[i]!)) throw new Error(`bad trade row ${i}: ${JSON.stringify(day.trades.row(i), (_, v) => (typeof v === "bigint" ? String(v) : v))}`);
    }
    // heavy tail: mostly 1-lots, yet some prints of 50+ lots
    let ones = 0;
    let big = 0;
    for (const s of size) (s === 1 ? ones++ : s >= 50 ? big++ : 0);
    expect(ones / size.length).toBeGreaterThan(0.4);
    expect(big).toBeGreaterThan(0);
    // both sides aggress
    let buys = 0;
    for (const a of aggr) if (a === 1) buys++;
    expect(buys / aggr.length).toBeGreaterThan(0.3);
    expect(buys / aggr.length).toBeLessThan(0.7);
  });

  test("front and next contract trade, the next one taking a small share of the volume in few, large prints", () => {
    const sym = day.trades.values<string[]>("symbol");
    const size = day.trades.values<Int32Array>("size");
    const vol = new Map<string, number>();
    const prints = new Map<string, number>();
    for (let i = 0; i < sym.length; i++) {
      vol.set(sym[i]!, (vol.get(sym[i]!) ?? 0) + size[i]!);
      prints.set(sym[i]!, (prints.get(sym[i]!) ?? 0) + 1);
    }
    expect([...vol.keys()].sort()).toEqual(["ESH6", "ESM6"]);
    const total = [...vol.values()].reduce((a, b) => a + b, 0);
    const share = vol.get("ESM6")! / total;
    expect(share).toBeGreaterThan(0.01);
    expect(share).toBeLessThan(0.15);
    expect(prints.get("ESM6")! / sym.length).toBeLessThan(0.01);
  });

  test("timestamps are strictly increasing within each table", () => {
    for (const f of [day.trades, day.mbp10, day.options]) {
      const ts = f.values<BigInt64Array>("ts_event_ns");
      for (let i = 1; i < ts.length; i++) if (!(ts[i]! > ts[i - 1]!)) throw new Error(`ts not increasing at row ${i}`);
      const recv = f.values<BigInt64Array>("ts_recv_ns");
      for (let i = 0; i < ts.length; i++) if (recv[i]! < ts[i]!) throw new Error(`ts_recv before ts_event at row ${i}`);
    }
  });

  test("seq increases per contract across trades and MBP-10 merged in time order", () => {
    const events: { ts: bigint; sym: string; seq: bigint }[] = [];
    for (const f of [day.trades, day.mbp10]) {
      const ts = f.values<BigInt64Array>("ts_event_ns");
      const sym = f.values<string[]>("symbol");
      const seq = f.values<BigInt64Array>("seq");
      for (let i = 0; i < f.numRows; i++) events.push({ ts: ts[i]!, sym: sym[i]!, seq: seq[i]! });
    }
    events.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    const last = new Map<string, bigint>();
    for (const e of events) {
      const prev = last.get(e.sym);
      if (prev !== undefined && !(e.seq > prev)) throw new Error(`seq of ${e.sym} not increasing at ts ${e.ts}`);
      last.set(e.sym, e.seq);
    }
    expect(last.size).toBe(2);
  });
});

describe("MBP-10 book", () => {
  test("ten levels per side, 0.25 apart, bid < ask, sizes positive", () => {
    const f = day.mbp10;
    const bp = Array.from({ length: 10 }, (_, k) => f.values<Float64Array>(`bid_px_${k + 1}`));
    const ap = Array.from({ length: 10 }, (_, k) => f.values<Float64Array>(`ask_px_${k + 1}`));
    const bs = Array.from({ length: 10 }, (_, k) => f.values<Int32Array>(`bid_sz_${k + 1}`));
    const as = Array.from({ length: 10 }, (_, k) => f.values<Int32Array>(`ask_sz_${k + 1}`));
    for (let i = 0; i < f.numRows; i++) {
      if (!(bp[0]![i]! < ap[0]![i]!)) throw new Error(`crossed book at row ${i}`);
      for (let k = 0; k < 10; k++) {
        if (!onGrid(bp[k]![i]!, TICK) || !onGrid(ap[k]![i]!, TICK)) throw new Error(`off-grid level ${k + 1} at row ${i}`);
        if (bs[k]![i]! < 1 || as[k]![i]! < 1) throw new Error(`empty level ${k + 1} at row ${i}`);
        if (k > 0 && (Math.abs(bp[k - 1]![i]! - bp[k]![i]! - TICK) > 1e-9 || Math.abs(ap[k]![i]! - ap[k - 1]![i]! - TICK) > 1e-9)) {
          throw new Error(`levels not 0.25 apart at row ${i}`);
        }
      }
    }
  });

  test("the book brackets every trade: latest front-contract book before it, and the update right after it", () => {
    const t = day.trades;
    const m = day.mbp10;
    const tts = t.values<BigInt64Array>("ts_event_ns");
    const tsym = t.values<string[]>("symbol");
    const tpx = t.values<Float64Array>("price");
    const mts = m.values<BigInt64Array>("ts_event_ns");
    const msym = m.values<string[]>("symbol");
    const b1 = m.values<Float64Array>("bid_px_1");
    const a1 = m.values<Float64Array>("ask_px_1");
    const front = day.contracts[0]!.symbol;
    const lastBook = new Map<string, number>();
    let j = 0;
    let checkedBefore = 0;
    for (let i = 0; i < t.numRows; i++) {
      while (j < m.numRows && mts[j]! < tts[i]!) lastBook.set(msym[j]!, j++);
      const before = lastBook.get(tsym[i]!);
      if (tsym[i] === front && before !== undefined) {
        checkedBefore++;
        if (!(b1[before]! <= tpx[i]! && tpx[i]! <= a1[before]!)) throw new Error(`trade ${i} at ${tpx[i]} outside the book ${b1[before]}/${a1[before]}`);
      }
      // the next update of the same contract is the post-trade book
      let k = j;
      while (k < m.numRows && msym[k] !== tsym[i]) k++;
      if (k < m.numRows && !(b1[k]! <= tpx[i]! && tpx[i]! <= a1[k]!)) throw new Error(`post-trade book for trade ${i} does not bracket it`);
    }
    expect(checkedBefore).toBeGreaterThan(t.numRows * 0.8);
  });

  test("walls: some levels hold several hundred lots at times, and they do not stay forever", () => {
    const f = day.mbp10;
    let wallRows = 0;
    for (let k = 3; k <= 10; k++) {
      for (const side of ["bid", "ask"]) {
        const sz = f.values<Int32Array>(`${side}_sz_${k}`);
        for (const s of sz) if (s >= 300) wallRows++;
      }
    }
    expect(wallRows).toBeGreaterThan(0);
    expect(wallRows).toBeLessThan(f.numRows * 20 * 0.2);
  });
});

describe("options", () => {
  test("strikes on the 5-point grid near spot, C/P, mostly same-day expiry, non-negative premiums", () => {
    const o = day.options;
    const strike = o.values<Float64Array>("strike");
    const right = o.values<string[]>("right");
    const exp = o.values<Int32Array>("exp_date");
    const px = o.values<Float64Array>("price");
    const size = o.values<Int32Array>("size");
    const today = Date.parse(`${day.date}T00:00:00Z`) / 86_400_000;
    const spot = day.trades.values<Float64Array>("price")[0]!;
    let zeroDte = 0;
    expect(o.numRows).toBeGreaterThan(300);
    for (let i = 0; i < o.numRows; i++) {
      if (!onGrid(strike[i]!, 5) || (right[i] !== "C" && right[i] !== "P") || exp[i]! < today || !(px[i]! >= 0.05) || size[i]! < 1) {
        throw new Error(`bad option row ${i}`);
      }
      if (Math.abs(strike[i]! - spot) > 400) throw new Error(`strike ${strike[i]} far from spot ${spot}`);
      if (exp[i] === today) zeroDte++;
    }
    expect(zeroDte / o.numRows).toBeGreaterThan(0.6);
    expect(zeroDte).toBeLessThan(o.numRows);
  });

  test("premiums move with spot: a call struck below spot costs more than one struck above", () => {
    const o = day.options;
    const strike = o.values<Float64Array>("strike");
    const right = o.values<string[]>("right");
    const px = o.values<Float64Array>("price");
    const exp = o.values<Int32Array>("exp_date");
    const ts = o.values<BigInt64Array>("ts_event_ns");
    const today = Date.parse(`${day.date}T00:00:00Z`) / 86_400_000;
    const tts = day.trades.values<BigInt64Array>("ts_event_ns");
    const tpx = day.trades.values<Float64Array>("price");
    let itm = 0;
    let itmN = 0;
    let otm = 0;
    let otmN = 0;
    let j = 0;
    for (let i = 0; i < o.numRows; i++) {
      while (j + 1 < tts.length && tts[j + 1]! <= ts[i]!) j++;
      if (right[i] !== "C" || exp[i] !== today) continue;
      const m = tpx[j]! - strike[i]!;
      if (m > 10) (itm += px[i]!), itmN++;
      else if (m < -10) (otm += px[i]!), otmN++;
    }
    expect(itmN).toBeGreaterThan(0);
    expect(otmN).toBeGreaterThan(0);
    expect(itm / itmN).toBeGreaterThan(otm / otmN);
  });
});
