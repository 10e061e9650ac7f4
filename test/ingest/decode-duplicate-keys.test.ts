/**
 * Repeated keys decode like JSON.parse: the last occurrence wins, a later null included.
 * Each body with repeated keys must give the same row as the body JSON.parse makes of it
 * (re-serialised, so each key once). Integers that exceed 2^53 are sent as decimal strings
 * (accepted by the decoders, kept exact by JSON.parse).
 */
import { expect, test } from "bun:test";
import { DECODERS, JsonCursor, Partitions, TableBuffer } from "../../src/ingest/worker/decode/index";
import { toWireJson } from "../../src/ingest/worker/decode/wire-json";

function rows(table: string, body: string): Record<string, unknown>[] {
  const d = DECODERS.find((x) => x.table === table)!;
  const buf = new TableBuffer(d.schema, 4);
  const parts = new Partitions(d.prefix, d.keyName);
  const cur = new JsonCursor();
  cur.reset(new TextEncoder().encode(body));
  buf.n = d.decode(cur, buf, parts);
  return buf.frame(Uint32Array.from({ length: buf.n }, (_, i) => i)).toRows();
}

const TS = '"1765895400123456789"';
const CASES: [string, string][] = [
  ["futures.trades", `{"ts_event_ns": ${TS}, "source": "direct_feed", "symbol": "ESZ5", "price": 6845.25, "size": 3, "aggressor": 1, "exchange": "CME", "conditions": [1, 2], "seq": 7, "exchange": null, "conditions": null, "seq": null}`],
  ["futures.trades", `{"ts_event_ns": ${TS}, "ts_recv_ns": "1765895400123456999", "source": "sim", "symbol": "ESH6", "price": 1.5, "size": 1, "aggressor": 0, "ts_recv_ns": null, "price": 6846.5, "size": 4, "symbol": "ESZ5", "exchange": null, "exchange": "XCME"}`],
  ["futures.mbp10", `{"ts_event_ns": ${TS}, "source": "direct_feed", "symbol": "ESZ5", "levels": [{"bid_px": 1, "bid_sz": 1, "ask_px": 2, "ask_sz": 2}, {"bid_px": 0.5, "bid_sz": 3, "ask_px": 2.5, "ask_sz": 4}], "is_snapshot": true, "seq": 9, "levels": [{"bid_px": 6845, "bid_sz": 14, "ask_px": 6845.25, "ask_sz": 9}], "is_snapshot": null, "seq": null}`],
  ["options.trades", `{"ts_event_ns": ${TS}, "source": "replay", "underlying": "ES", "option_symbol": "ESZ5 C6850", "exp_date": "2025-12-16", "strike": 6850.0, "right": "C", "price": 4.75, "size": 2, "opt_bid": 4.5, "opt_ask": 5.0, "aggressor": 0, "conditions": [3], "seq": 11, "opt_bid": null, "opt_ask": null, "conditions": null, "strike": 6855, "right": "P"}`],
  ["levels.signals", `{"ts": 1765895400123, "spy": {"spot": 6845.5, "bid": 6845.25, "ask": 6845.75, "spot": null}, "levels": [{"id": "PM_HIGH", "price": 6850, "note": "x", "note": null, "barrier": {"state": "WALL", "added": 320}, "barrier": null, "tape": {"imbalance": 0.3, "sweep": {"detected": true, "direction": "UP"}}, "tape": {"imbalance": 0.1}, "fuel": {"effect": "DAMPEN"}, "fuel": {"call_wall": 6875}}]}`],
  ["levels.signals", `{"ts": 1765895400123, "spy": {"spot": 1, "bid": 1, "ask": 1}, "spy": null, "levels": [{"id": "A"}, {"id": "B"}], "levels": [{"id": "C", "runway": {"direction": "UP", "next_obstacle": {"id": "SMA_400", "price": 6900.25}}, "runway": {"quality": "CLEAR"}}]}`],
];

test("a repeated key decodes like JSON.parse: the last one wins, a later null included", () => {
  for (const [table, body] of CASES) {
    const once = toWireJson(JSON.parse(body));
    expect(once.length).toBeLessThan(body.length); // the case really repeats keys
    expect(rows(table, once).length).toBeGreaterThan(0);
    expect({ table, rows: rows(table, body) }).toEqual({ table, rows: rows(table, once) });
  }
});

test("exchange: a later null replaces \"CME\"", () => {
  const r = rows("futures.trades", `{"ts_event_ns": ${TS}, "source": "sim", "symbol": "ES", "price": 1, "size": 1, "aggressor": 0, "exchange": "CME", "exchange": null}`)[0]!;
  expect(r.exchange).toBeNull();
});
