/**
 * Deterministic, realistic ES batches for bench/encode.ts: an order book that random-walks
 * on the 0.25 tick grid with per-level size churn (MBP-10), and trades printing at the
 * touch. Timestamps are ns since the epoch (> 2^53), bursty inter-arrival times, a
 * receive latency of tens of µs, monotonically increasing seq.
 */
import { Frame, type Column } from "../src/frame";
import { FUTURES_MBP10, FUTURES_TRADES } from "../src/schemas/bronze";
import { mulberry32 as rng } from "../src/sim/rng";

const T0 = 1_768_370_400_000_000_000n; // 2026-01-14T06:00:00Z
const TICK = 0.25;

/** Bursty inter-arrival gaps in ns: mostly sub-millisecond, sometimes long pauses. */
function gaps(n: number, r: () => number, meanNs: number): BigInt64Array {
  const ts = new BigInt64Array(n);
  let t = Number(0);
  for (let i = 0; i < n; i++) {
    const u = r();
    t += Math.floor((u < 0.8 ? r() * 0.2 : r() * 4.2) * meanNs) + 1;
    ts[i] = T0 + BigInt(t);
  }
  return ts;
}

function withLatency(ts: BigInt64Array, r: () => number): BigInt64Array {
  const out = new BigInt64Array(ts.length);
  for (let i = 0; i < ts.length; i++) out[i] = ts[i]! + BigInt(20_000 + Math.floor(r() * 180_000));
  return out;
}

function seqs(n: number, r: () => number, start: number): BigInt64Array {
  const out = new BigInt64Array(n);
  let s = start;
  for (let i = 0; i < n; i++) {
    s += 1 + (r() < 0.1 ? Math.floor(r() * 3) : 0);
    out[i] = BigInt(s);
  }
  return out;
}

function constant(name: string, n: number, value: string): Column {
  return { name, type: "utf8", values: new Array<string | null>(n).fill(value) };
}

export function generateMbp10(n: number, seed = 42): Frame {
  const r = rng(seed);
  const ts = gaps(n, r, 60_000_000);
  const cols: Column[] = [
    { name: "ts_event_ns", type: "int64", values: ts },
    { name: "ts_recv_ns", type: "int64", values: withLatency(ts, r) },
    constant("source", n, "direct_feed"),
    constant("symbol", n, "ESH6"),
  ];
  const px = { bid: [] as Float64Array[], ask: [] as Float64Array[] };
  const sz = { bid: [] as Int32Array[], ask: [] as Int32Array[] };
  for (const side of ["bid", "ask"] as const) {
    for (let k = 0; k < 10; k++) {
      px[side].push(new Float64Array(n));
      sz[side].push(new Int32Array(n));
    }
  }
  let bestBid = 7000;
  const book = { bid: Array.from({ length: 10 }, (_, k) => 20 + k * 12), ask: Array.from({ length: 10 }, (_, k) => 22 + k * 11) };
  for (let i = 0; i < n; i++) {
    const u = r();
    if (u < 0.04) {
      bestBid += (r() < 0.5 ? -1 : 1) * TICK; // the touch moves: the book shifts one level
      book.bid.unshift(book.bid.pop()!);
      book.ask.push(book.ask.shift()!);
    }
    const churn = 1 + Math.floor(r() * 3); // 1–3 levels change size per update
    for (let c = 0; c < churn; c++) {
      const side = r() < 0.5 ? "bid" : "ask";
      const k = Math.min(9, Math.floor(-Math.log(1 - r()) * 2.5));
      book[side][k] = Math.max(1, book[side][k]! + Math.round((r() - 0.5) * 20));
    }
    for (let k = 0; k < 10; k++) {
      px.bid[k]![i] = bestBid - k * TICK;
      px.ask[k]![i] = bestBid + (k + 1) * TICK;
      sz.bid[k]![i] = book.bid[k]!;
      sz.ask[k]![i] = book.ask[k]!;
    }
  }
  for (const side of ["bid", "ask"] as const) {
    for (let k = 0; k < 10; k++) {
      cols.push({ name: `${side}_px_${k + 1}`, type: "float64", values: px[side][k]! });
      cols.push({ name: `${side}_sz_${k + 1}`, type: "int32", values: sz[side][k]! });
    }
  }
  const snap = new Uint8Array(n);
  for (let i = 0; i < n; i += 50_000) snap[i] = 1;
  cols.push({ name: "is_snapshot", type: "bool", values: snap });
  cols.push({ name: "seq", type: "int64", values: seqs(n, r, 578_000_000) });
  return new Frame(FUTURES_MBP10.columns.map((d) => cols.find((c) => c.name === d.name)!), n);
}

export function generateTrades(n: number, seed = 7): Frame {
  const r = rng(seed);
  const ts = gaps(n, r, 80_000_000);
  const price = new Float64Array(n);
  const size = new Int32Array(n);
  const aggressor = new Int8Array(n);
  const conditions = new Array<Int16Array | null>(n).fill(null);
  const symbol = new Array<string | null>(n);
  let p = 7000;
  for (let i = 0; i < n; i++) {
    if (r() < 0.15) p += (r() < 0.5 ? -1 : 1) * TICK;
    const side = r() < 0.5 ? 1 : -1;
    aggressor[i] = r() < 0.02 ? 0 : side;
    price[i] = side > 0 ? p + TICK : p;
    size[i] = Math.max(1, Math.round(-Math.log(1 - r()) * 4));
    symbol[i] = r() < 0.05 ? "ESM6" : "ESH6";
    if (r() < 0.03) conditions[i] = Int16Array.of(1 + Math.floor(r() * 5));
  }
  const cols: Column[] = [
    { name: "ts_event_ns", type: "int64", values: ts },
    { name: "ts_recv_ns", type: "int64", values: withLatency(ts, r) },
    constant("source", n, "direct_feed"),
    { name: "symbol", type: "utf8", values: symbol },
    { name: "price", type: "float64", values: price },
    { name: "size", type: "int32", values: size },
    { name: "aggressor", type: "int8", values: aggressor },
    constant("exchange", n, "CME"),
    { name: "conditions", type: "list_int16", values: conditions },
    { name: "seq", type: "int64", values: seqs(n, r, 78_000_000) },
  ];
  return new Frame(FUTURES_TRADES.columns.map((d) => cols.find((c) => c.name === d.name)!), n);
}

/** In-memory size of the values (the MB/s denominator for both writers). */
export function rawBytes(f: Frame): number {
  let b = 0;
  for (const c of f.columns) {
    if (c.type === "utf8") for (const s of c.values as (string | null)[]) b += s?.length ?? 0;
    else if (c.type === "list_int16") for (const l of c.values as (Int16Array | null)[]) b += (l?.length ?? 0) * 2;
    else b += (c.values as { byteLength: number }).byteLength;
  }
  return b;
}
