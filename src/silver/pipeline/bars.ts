/**
 * OHLCV bar building shared by S2 (1 min) and S3 (2 min), es-pipeline §5.2–§5.3.
 * Input trades must be sorted by ts (S1 sorts by (ts, seq)), so the first/last trade of
 * a bucket give open/close. Empty buckets are not emitted (the series has gaps).
 */
import type { Bars } from "./context";

export interface PriceFilter {
  priceMin: number;
  priceMax: number;
}

/** Start of the bucket containing t (relative ns), exact: fmod on doubles is exact. */
export function bucketStart(t: number, lenNs: number): number {
  let r = t % lenNs;
  if (r < 0) r += lenNs;
  return t - r;
}

export function buildBars(
  t: Float64Array,
  price: Float64Array,
  size: Float64Array,
  lenNs: number,
  originNs: bigint,
  filter: PriceFilter,
): Bars {
  const n = t.length;
  const cap = Math.min(n, 4096);
  let starts = new Float64Array(cap);
  let open = new Float64Array(cap);
  let high = new Float64Array(cap);
  let low = new Float64Array(cap);
  let close = new Float64Array(cap);
  let volume = new Float64Array(cap);
  let m = 0;
  let cur = NaN;
  for (let i = 0; i < n; i++) {
    const p = price[i]!;
    // §5.2 step 1: strict sanity filter 3000 < p < 10000.
    if (!(p > filter.priceMin && p < filter.priceMax)) continue;
    const b = bucketStart(t[i]!, lenNs);
    if (b !== cur) {
      if (m === starts.length) {
        const grow = (a: Float64Array) => {
          const x = new Float64Array(a.length * 2);
          x.set(a);
          return x;
        };
        starts = grow(starts);
        open = grow(open);
        high = grow(high);
        low = grow(low);
        close = grow(close);
        volume = grow(volume);
      }
      if (b < cur) throw new Error("buildBars: trades are not sorted by ts");
      cur = b;
      starts[m] = b;
      open[m] = p;
      high[m] = p;
      low[m] = p;
      close[m] = p;
      volume[m] = size[i]!;
      m++;
    } else {
      const k = m - 1;
      if (p > high[k]!) high[k] = p;
      if (p < low[k]!) low[k] = p;
      close[k] = p;
      volume[k] = volume[k]! + size[i]!;
    }
  }
  const ts = new BigInt64Array(m);
  for (let k = 0; k < m; k++) ts[k] = originNs + BigInt(starts[k]!);
  return {
    n: m,
    ts,
    t: starts.slice(0, m),
    open: open.slice(0, m),
    high: high.slice(0, m),
    low: low.slice(0, m),
    close: close.slice(0, m),
    volume: volume.slice(0, m),
  };
}

/** A zero-filled bar series of `n` bars, to be written in place. */
export function allocBars(n: number): Bars {
  return {
    n,
    ts: new BigInt64Array(n),
    t: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
}

/** Concatenate bar series that are each sorted and mutually ordered in time. */
export function concatBars(parts: readonly Bars[]): Bars {
  const out = allocBars(parts.reduce((s, b) => s + b.n, 0));
  let off = 0;
  for (const b of parts) {
    out.ts.set(b.ts, off);
    out.t.set(b.t, off);
    out.open.set(b.open, off);
    out.high.set(b.high, off);
    out.low.set(b.low, off);
    out.close.set(b.close, off);
    out.volume.set(b.volume, off);
    off += b.n;
  }
  return out;
}

/**
 * ATR14 (§5.2 step 5): TR_i = max(h−l, |h−prevC|, |l−prevC|) with prevC_0 = close_0,
 * then the trailing mean over up to `window` bars (fewer at the start, never NaN).
 * With `first` > 0 the series starts at bar `first` as if it were bar 0 (its previous close
 * is its own, earlier bars are NaN): the RTH-only ATR of D-32 starts at the first bar ≥ 09:30.
 */
export function trueRange(bars: Bars, first = 0): Float64Array {
  const tr = new Float64Array(bars.n).fill(NaN);
  for (let i = first; i < bars.n; i++) {
    const prevC = i === first ? bars.close[i]! : bars.close[i - 1]!;
    const h = bars.high[i]!;
    const l = bars.low[i]!;
    tr[i] = Math.max(h - l, Math.abs(h - prevC), Math.abs(l - prevC));
  }
  return tr;
}

export function atr(bars: Bars, window: number, first = 0): Float64Array {
  const tr = trueRange(bars, first);
  const out = new Float64Array(bars.n).fill(NaN);
  for (let i = first; i < bars.n; i++) {
    const from = Math.max(first, i - window + 1);
    let s = 0;
    for (let j = from; j <= i; j++) s += tr[j]!;
    out[i] = s / (i - from + 1);
  }
  return out;
}
