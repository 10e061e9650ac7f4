import { describe, expect, test } from "bun:test";
import { cellValue, Frame, frameFromRows } from "../../src/frame";
import { decoderForSubject, JsonCursor, Partitions, TableBuffer } from "../../src/ingest/worker/decode";
import { FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES } from "../../src/schemas/bronze";
import { generateDay } from "../../src/sim/day";
import { pyFloat } from "../../src/sim/pyjson";
import { mbp10ByteEncoder } from "../../src/sim/wire-bytes";
import { encodeSignal, mbp10Encoder, optionEncoder, SUBJECTS, tradeEncoder, wireMessages, wireTexts } from "../../src/sim/wire";

describe("Python json.dumps number formatting (§1.4)", () => {
  test("floats print like Python repr", () => {
    const cases: [number, string][] = [
      [6845, "6845.0"],
      [6845.25, "6845.25"],
      [0, "0.0"],
      [-0, "-0.0"],
      [0.0001, "0.0001"],
      [0.00001, "1e-05"],
      [1.5e-7, "1.5e-07"],
      [1e16, "1e+16"],
      [123456789012345680000, "1.2345678901234568e+20"],
      [9223372036.854776, "9223372036.854776"],
      [3.65, "3.65"],
      [NaN, "NaN"],
      [Infinity, "Infinity"],
      [-Infinity, "-Infinity"],
    ];
    for (const [x, s] of cases) expect(pyFloat(x)).toBe(s);
  });
});

describe("encoders produce the contract's example bytes", () => {
  test("§1.6 FuturesTrade", () => {
    const f = frameFromRows(FUTURES_TRADES.columns, [
      { ts_event_ns: 1765895400123456789n, ts_recv_ns: 1765895400123871042n, source: "direct_feed", symbol: "ESZ5", price: 6845.25, size: 3, aggressor: 1, exchange: "CME", conditions: null, seq: 41829317n },
    ]);
    expect(tradeEncoder(f)(0)).toBe(
      '{"ts_event_ns": 1765895400123456789, "ts_recv_ns": 1765895400123871042, "source": "direct_feed", "symbol": "ESZ5", "price": 6845.25, "size": 3, "aggressor": 1, "exchange": "CME", "conditions": null, "seq": 41829317}',
    );
  });

  test("§1.7 MBP10 with its ten-level array", () => {
    const bids = [[6845.0, 14], [6844.75, 22], [6844.5, 31], [6844.25, 18], [6844.0, 40], [6843.75, 27], [6843.5, 33], [6843.25, 19], [6843.0, 52], [6842.75, 24]];
    const asks = [[6845.25, 9], [6845.5, 17], [6845.75, 25], [6846.0, 30], [6846.25, 21], [6846.5, 36], [6846.75, 28], [6847.0, 45], [6847.25, 20], [6847.5, 31]];
    const row: Record<string, unknown> = { ts_event_ns: 1765895400123456789n, ts_recv_ns: 1765895400123871042n, source: "direct_feed", symbol: "ESZ5", is_snapshot: false, seq: 41829318n };
    for (let k = 0; k < 10; k++) {
      row[`bid_px_${k + 1}`] = bids[k]![0];
      row[`bid_sz_${k + 1}`] = bids[k]![1];
      row[`ask_px_${k + 1}`] = asks[k]![0];
      row[`ask_sz_${k + 1}`] = asks[k]![1];
    }
    const levels = bids.map((b, k) => `{"bid_px": ${pyFloat(b[0]!)}, "bid_sz": ${b[1]}, "ask_px": ${pyFloat(asks[k]![0]!)}, "ask_sz": ${asks[k]![1]}}`).join(", ");
    expect(mbp10Encoder(frameFromRows(FUTURES_MBP10.columns, [row]))(0)).toBe(
      `{"ts_event_ns": 1765895400123456789, "ts_recv_ns": 1765895400123871042, "source": "direct_feed", "symbol": "ESZ5", "levels": [${levels}], "is_snapshot": false, "seq": 41829318}`,
    );
    expect(levels.startsWith('{"bid_px": 6845.0, "bid_sz": 14, "ask_px": 6845.25, "ask_sz": 9}')).toBe(true);
  });

  test("§1.8 OptionTrade (date32 exp_date → YYYY-MM-DD, null quotes)", () => {
    const f = frameFromRows(OPTION_TRADES.columns, [
      { ts_event_ns: 1765895401250000000n, ts_recv_ns: 1765895401250000000n, source: "replay", underlying: "ES", option_symbol: "ESZ5 C6850", exp_date: Date.parse("2025-12-16") / 86_400_000, strike: 6850, right: "C", price: 4.75, size: 2, opt_bid: null, opt_ask: null, aggressor: 0, conditions: null, seq: null },
    ]);
    expect(optionEncoder(f)(0)).toBe(
      '{"ts_event_ns": 1765895401250000000, "ts_recv_ns": 1765895401250000000, "source": "replay", "underlying": "ES", "option_symbol": "ESZ5 C6850", "exp_date": "2025-12-16", "strike": 6850.0, "right": "C", "price": 4.75, "size": 2, "opt_bid": null, "opt_ask": null, "aggressor": 0, "conditions": null, "seq": null}',
    );
  });

  test("§1.9 level-signal snapshot (ints vs floats, nested objects, null obstacle)", () => {
    const example =
      '{"ts": 1765895400123, "spy": {"spot": 6845.5, "bid": 6845.25, "ask": 6845.5}, "levels": [{"id": "PM_HIGH", "price": 6850.25, "kind": "PM_HIGH", "direction": "RESISTANCE", "distance": 4.75, "break_score_raw": 62.4, "break_score_smooth": 58.9, "signal": "NEUTRAL", "confidence": "MEDIUM", "approach_velocity": 0.85, "approach_bars": 3, "approach_distance": 8.5, "prior_touches": 1, "barrier": {"state": "WALL", "delta_liq": 140.0, "delta_liq_smooth": 120.5, "replenishment_ratio": 1.8, "replenishment_ratio_smooth": 1.6, "added": 320.0, "canceled": 110.0, "filled": 70.0, "defending_quote": {"price": 6850.25, "size": 85}, "churn": 500.0, "depth_in_zone": 410}, "tape": {"imbalance": 0.31, "buy_vol": 420, "sell_vol": 221, "velocity": 0.12, "velocity_smooth": 0.1, "sweep": {"detected": false, "direction": "NONE", "notional": 0.0, "num_prints": 0, "window_ms": 0.0}}, "fuel": {"effect": "DAMPEN", "net_dealer_gamma": 15234.5, "net_dealer_gamma_smooth": 14000.0, "call_wall": 6875.0, "put_wall": null, "hvl": null}, "runway": {"direction": "UP", "distance": 12.0, "next_obstacle": {"id": "SMA_200", "price": 6862.25}, "quality": "CLEAR"}, "confluence_count": 1, "confluence_pressure": 0.2, "confluence_alignment": 0, "confluence_level": 5, "confluence_level_name": "STRONG", "note": "Wall holding; dealers fade"}]}';
    expect(encodeSignal(JSON.parse(example))).toBe(example);
    expect(encodeSignal({ ts: 5, spy: { spot: null, bid: null, ask: null }, levels: [] })).toBe('{"ts": 5, "spy": {"spot": null, "bid": null, "ask": null}, "levels": []}');
  });
});

/** Decode wire messages with the ingest service's own decoders (what `lake serve` runs). */
function ingestDecode(subject: string, bodies: Uint8Array[]): Frame {
  const d = decoderForSubject(subject)!;
  const buf = new TableBuffer(d.schema, 1024);
  const parts = new Partitions(d.prefix, d.keyName);
  const cur = new JsonCursor();
  for (const b of bodies) {
    cur.reset(b);
    buf.ensure(buf.n + 64);
    buf.n += d.decode(cur, buf, parts);
  }
  return buf.frame(Uint32Array.from({ length: buf.n }, (_, i) => i));
}

function expectSameRows(a: Frame, b: Frame): void {
  expect(b.numRows).toBe(a.numRows);
  for (const c of a.columns) {
    const o = b.column(c.name);
    for (let i = 0; i < a.numRows; i++) {
      const x = cellValue(c, i);
      const y = cellValue(o, i);
      if (x instanceof Int16Array || y instanceof Int16Array) continue;
      if (x !== y) throw new Error(`column ${c.name} row ${i}: generated ${String(x)} vs decoded ${String(y)}`);
    }
  }
}

describe("a simulated day on the wire", () => {
  const day = generateDay({ date: "2026-03-05", seed: 21, scale: { tradesPerSec: 0.3, mbpPerSec: 0.2, optionsPerSec: 0.1, signalIntervalMs: 60_000 } });

  test("the ingest decoders read every message back into exactly the generated rows", () => {
    const bySubject = new Map<string, Uint8Array[]>();
    for (const m of wireMessages(day)) {
      if (!bySubject.has(m.subject)) bySubject.set(m.subject, []);
      bySubject.get(m.subject)!.push(m.data);
    }
    expectSameRows(day.trades, ingestDecode(SUBJECTS.trades, bySubject.get(SUBJECTS.trades)!));
    expectSameRows(day.mbp10, ingestDecode(SUBJECTS.mbp10, bySubject.get(SUBJECTS.mbp10)!));
    expectSameRows(day.options, ingestDecode(SUBJECTS.options, bySubject.get(SUBJECTS.options)!));
    const gold = ingestDecode(SUBJECTS.signals, bySubject.get(SUBJECTS.signals)!);
    expect(gold.numRows).toBe(day.signals.reduce((s, p) => s + (p.levels as unknown[]).length, 0));
  });

  test("messages are merged across subjects in (ts_event_ns, seq) order", () => {
    let prev = -1n;
    let outOfOrder = 0;
    const subjects = new Set<string>();
    for (const m of wireMessages(day)) {
      if (m.tsNs < prev) outOfOrder++;
      prev = m.tsNs;
      subjects.add(m.subject);
    }
    expect(outOfOrder).toBe(0);
    expect([...subjects].sort()).toEqual(Object.values(SUBJECTS).sort());
  });

  test("signal payloads carry every §1.9 field with plausible values", () => {
    const enums = {
      direction: ["SUPPORT", "RESISTANCE"],
      signal: ["BREAK", "REJECT", "CONTESTED", "NEUTRAL"],
      confidence: ["HIGH", "MEDIUM", "LOW"],
      barrier: ["VACUUM", "WALL", "ABSORPTION", "CONSUMED", "WEAK", "NEUTRAL"],
      fuel: ["AMPLIFY", "DAMPEN", "NEUTRAL"],
    };
    const keys = "id price kind direction distance break_score_raw break_score_smooth signal confidence approach_velocity approach_bars approach_distance prior_touches barrier tape fuel runway confluence_count confluence_pressure confluence_alignment confluence_level confluence_level_name note".split(" ");
    let levels = 0;
    for (const p of day.signals) {
      const lv = p.levels as Record<string, any>[];
      for (let i = 1; i < lv.length; i++) expect(lv[i]!.distance).toBeGreaterThanOrEqual(lv[i - 1]!.distance);
      for (const l of lv) {
        levels++;
        expect(Object.keys(l)).toEqual(keys);
        expect(l.distance).toBeCloseTo(Math.abs((p.spy as any).spot - l.price), 3);
        expect(enums.direction).toContain(l.direction);
        expect(enums.signal).toContain(l.signal);
        expect(enums.confidence).toContain(l.confidence);
        expect(enums.barrier).toContain(l.barrier.state);
        expect(enums.fuel).toContain(l.fuel.effect);
        expect(l.break_score_raw).toBeGreaterThanOrEqual(0);
        expect(l.break_score_raw).toBeLessThanOrEqual(100);
        expect(Math.abs(l.tape.imbalance)).toBeLessThanOrEqual(1);
        expect(l.barrier.delta_liq).toBe(l.barrier.added - l.barrier.canceled - l.barrier.filled);
        expect(l.runway.distance === Infinity || l.runway.distance >= 0).toBe(true);
        expect(["CLEAR", "OBSTRUCTED"]).toContain(l.runway.quality);
        expect(l.note.length).toBeGreaterThan(0);
      }
    }
    expect(levels).toBeGreaterThan(day.signals.length * 3);
    const json = [...wireTexts(day, ["signals"])].map((m) => m.json).join("\n");
    expect(json).toContain('"spy": {"spot": ');
    expect(json).toContain("Infinity");
  });
});

describe("the MBP-10 byte fast path", () => {
  test("writes exactly the bytes of the text encoder, row for row", () => {
    const day = generateDay({ date: "2026-03-12", seed: 4, scale: { tradesPerSec: 0.3, mbpPerSec: 1, optionsPerSec: 0, signalIntervalMs: 0 } });
    const fast = mbp10ByteEncoder(day.mbp10)!;
    expect(fast).not.toBeNull();
    const text = mbp10Encoder(day.mbp10);
    const enc = new TextEncoder();
    let bad = -1;
    for (let i = 0; i < day.mbp10.numRows && bad < 0; i++) if (Buffer.compare(Buffer.from(fast(i)), Buffer.from(enc.encode(text(i)))) !== 0) bad = i;
    expect(bad).toBe(-1);
    // views stay valid after later rows are written (slabs are never reused)
    const first = fast(0).slice();
    const kept = fast(0);
    for (let i = 1; i < Math.min(5000, day.mbp10.numRows); i++) fast(i);
    expect(Buffer.compare(Buffer.from(kept), Buffer.from(first))).toBe(0);
  });

  test("frames that are not canonical (predecessor int64 sizes) fall back to the text encoder", () => {
    const day = generateDay({ date: "2026-03-12", seed: 4, scale: { tradesPerSec: 0.05, mbpPerSec: 0, optionsPerSec: 0, signalIntervalMs: 0 } });
    const cols = day.mbp10.columns.map((c) => (c.name === "bid_sz_1" ? { ...c, type: "int64" as const, values: BigInt64Array.from(c.values as Int32Array, (x) => BigInt(x)) } : c));
    expect(mbp10ByteEncoder(new Frame(cols, day.mbp10.numRows))).toBeNull();
  });
});
