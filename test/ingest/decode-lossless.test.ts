/**
 * The wire decoders (contracts §1.4–§1.9, §2.2–§2.4, §3.2): 64-bit integers exact, the
 * NaN/Infinity tokens, integers as decimal strings, MBP padding and sentinel rule, the
 * `spy`/`es` context key, all-or-nothing payloads, and parity with JSON.parse on floats.
 */
import { expect, test } from "bun:test";
import { DECODERS, DecodeError, JsonCursor, Partitions, TableBuffer, type TableDecoder } from "../../src/ingest/worker/decode/index";
import { flattenLevelSignals } from "../../src/ingest/worker/decode/flatten";
import { toWireJson } from "../../src/ingest/worker/decode/wire-json";
import type { Frame } from "../../src/frame";

const dec = (table: string) => DECODERS.find((d) => d.table === table)!;

function decode(d: TableDecoder, body: string): { frame: Frame; parts: Partitions } {
  const buf = new TableBuffer(d.schema, 2);
  const parts = new Partitions(d.prefix, d.keyName);
  const cur = new JsonCursor();
  cur.reset(new TextEncoder().encode(body));
  buf.n = d.decode(cur, buf, parts);
  return { frame: buf.frame(Uint32Array.from({ length: buf.n }, (_, i) => i)), parts };
}

test("int64 timestamps and seq are exact beyond 2^53, including decimal-string integers", () => {
  const values = [1765895400123456789n, 4102444800000000000n, 946684800000000000n, 1765895400999999999n, 2000000000000000001n];
  for (const ts of values) {
    const { frame } = decode(dec("futures.trades"), `{"ts_event_ns": ${ts}, "ts_recv_ns": "${ts}", "source": "sim", "symbol": "ES", "price": 1.5, "size": 1, "aggressor": 0, "exchange": null, "conditions": null, "seq": "9223372036854775807"}`);
    expect(frame.values<BigInt64Array>("ts_event_ns")[0]).toBe(ts);
    expect(frame.values<BigInt64Array>("ts_recv_ns")[0]).toBe(ts);
    expect(frame.values<BigInt64Array>("seq")[0]).toBe(9223372036854775807n);
  }
});

test("partition hour comes from integer arithmetic at the exact hour boundary", () => {
  const before = decode(dec("futures.trades"), `{"ts_event_ns": 1765897199999999999, "source": "sim", "symbol": "ESH6", "price": 1, "size": 1, "aggressor": 1}`);
  const at = decode(dec("futures.trades"), `{"ts_event_ns": 1765897200000000000, "source": "sim", "symbol": "ESH6", "price": 1, "size": 1, "aggressor": 1}`);
  expect(before.parts.list[0]!.dir).toBe("bronze/futures/trades/symbol=ES/date=2025-12-16/hour=14");
  expect(at.parts.list[0]!.dir).toBe("bronze/futures/trades/symbol=ES/date=2025-12-16/hour=15");
  expect(before.frame.values<BigInt64Array>("ts_recv_ns")[0]).toBe(1765897199999999999n); // defaults to ts_event_ns
});

test("floats decode exactly like JSON.parse; NaN/Infinity tokens are accepted", () => {
  const floats = [6845.25, 0.1, 1e-7, 123456.789012345, 9223372036.854776, 5e-324, 1.7976931348623157e308, 12345678901234567890, 0.30000000000000004];
  for (const x of floats) {
    const { frame } = decode(dec("futures.trades"), `{"ts_event_ns": 1765895400123456789, "source": "sim", "symbol": "ES", "price": ${JSON.stringify(x)}, "size": 1, "aggressor": 0}`);
    expect(frame.values<Float64Array>("price")[0]).toBe(JSON.parse(JSON.stringify(x)));
  }
  const g = flattenLevelSignals(`{"ts": 1765895400123, "spy": {"spot": NaN, "bid": -Infinity, "ask": 1}, "levels": [{"id": "A", "runway": {"distance": Infinity}}]}`);
  expect(Number.isNaN(g.values<Float64Array>("spot")[0]!)).toBe(true);
  expect(g.values<Float64Array>("bid")[0]).toBe(-Infinity);
  expect(g.values<Float64Array>("runway_distance")[0]).toBe(Infinity);
});

test("MBP-10: levels padded to 10, vendor sentinel normalised to 0.0/0, extra levels dropped", () => {
  const lv = (px: number, sz: number) => `{"bid_px": ${px}, "bid_sz": ${sz}, "ask_px": ${px + 0.25}, "ask_sz": ${sz + 1}}`;
  const levels = [lv(6845, 14), "null", `{"bid_px": 9223372036.854776, "bid_sz": 0, "ask_px": 6846, "ask_sz": 3}`, ...Array.from({ length: 9 }, (_, i) => lv(6840 - i, 2))];
  const { frame } = decode(dec("futures.mbp10"), `{"ts_event_ns": 1765895400123456789, "source": "direct_feed", "symbol": "ESZ5", "levels": [${levels.join(",")}], "is_snapshot": true, "seq": null}`);
  const r = frame.row(0);
  expect([r.bid_px_1, r.bid_sz_1, r.ask_px_1, r.ask_sz_1]).toEqual([6845, 14, 6845.25, 15]);
  expect([r.bid_px_2, r.bid_sz_2, r.ask_px_2, r.ask_sz_2]).toEqual([0, 0, 0, 0]); // null element = padding
  expect([r.bid_px_3, r.bid_sz_3, r.ask_px_3, r.ask_sz_3]).toEqual([0, 0, 6846, 3]); // sentinel → 0/0
  expect([r.bid_px_10, r.ask_px_10]).toEqual([6840 - 6, 6840 - 6 + 0.25]); // the 11th and 12th levels are dropped
  expect(r.is_snapshot).toBe(true);
  expect(r.seq).toBeNull();
  const short = decode(dec("futures.mbp10"), `{"ts_event_ns": 1765895400123456789, "source": "direct_feed", "symbol": "ESZ5", "levels": [${lv(1, 1)}]}`).frame.row(0);
  expect([short.bid_px_5, short.bid_sz_5, short.is_snapshot]).toEqual([0, 0, false]);
});

test("options: exp_date date-time quirk keeps the date, NaN quotes become null", () => {
  const { frame } = decode(dec("options.trades"), `{"ts_event_ns": 1765895401250000000, "source": "replay", "underlying": "ES", "option_symbol": "X", "exp_date": "2025-12-16T00:00:00.000000", "strike": 6850, "right": "P", "price": 0, "size": 2, "opt_bid": NaN, "opt_ask": 1.25, "aggressor": -1, "conditions": [], "seq": "17"}`);
  const r = frame.row(0);
  expect(r.exp_date).toBe(Date.UTC(2025, 11, 16) / 86_400_000);
  expect(r.opt_bid).toBeNull();
  expect(r.opt_ask).toBe(1.25);
  expect(r.conditions).toBeNull(); // empty array stored as null (§2.2)
  expect(r.seq).toBe(17n);
});

test("levels.signals: one row per level, `es` alias, null sub-objects, all-or-nothing", () => {
  const payload = {
    ts: 1765895400123,
    es: { spot: 6845.5, bid: 6845.25, ask: null },
    levels: [
      { id: "PM_HIGH", price: 6850.25, tape: { buy_vol: "420", sell_vol: 7, sweep: { detected: true } }, fuel: null, runway: { next_obstacle: null, distance: Infinity } },
      { id: "OR_LOW", barrier: { state: "WALL", added: 320 } },
    ],
  };
  const f = flattenLevelSignals(toWireJson(payload));
  expect(f.numRows).toBe(2);
  const [a, b] = f.toRows();
  expect(a).toMatchObject({ ts_event_ns: 1765895400123000000n, underlying: "ES", spot: 6845.5, bid: 6845.25, ask: null, level_id: "PM_HIGH", tape_buy_vol: 420n, tape_sweep_detected: true, fuel_effect: null, runway_next_level_id: null, runway_distance: Infinity });
  expect(b).toMatchObject({ level_id: "OR_LOW", barrier_state: "WALL", barrier_added: 320, tape_sweep_detected: false, tape_buy_vol: null });
  // `spy` wins over `es` when both are present.
  expect(flattenLevelSignals(`{"ts": 1765895400123, "es": {"spot": 1}, "spy": {"spot": 2}, "levels": [{"id": "X"}]}`).row(0).spot).toBe(2);
  // A bad second level rejects the whole payload.
  expect(() => flattenLevelSignals(`{"ts": 1765895400123, "spy": null, "levels": [{"id": "X"}, {"id": 5}]}`)).toThrow(DecodeError);
  expect(flattenLevelSignals(`{"ts": 1765895400123, "spy": {"spot": null, "bid": null, "ask": null}, "levels": []}`).numRows).toBe(0);
});

test("the Python encoder's spacing and unknown keys are accepted", () => {
  const body = `{ "ts_event_ns" : 1765895400123456789 ,\n "source":"direct_feed","symbol":"ESZ5","extra":{"a":[1,{"b":null}],"c":"\\u00e9\\"x"},"price":6845.25,"size":3,"aggressor":1,"exchange":"CME","conditions":[1,-2],"seq":41829317 }`;
  const r = decode(dec("futures.trades"), body).frame.row(0);
  expect(r).toMatchObject({ symbol: "ESZ5", size: 3, exchange: "CME", seq: 41829317n });
  expect(Array.from(r.conditions as Int16Array)).toEqual([1, -2]);
});
