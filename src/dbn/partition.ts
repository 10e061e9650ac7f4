/**
 * Split a Bronze frame into (UTC date, hour) groups of ts_event_ns, by exact integer
 * arithmetic at hour edges (a float bucket is used only where it cannot be wrong), and drop
 * rows that Bronze already holds: identical = same (symbol, ts_event_ns, seq), where symbol is
 * the contract (futures) or option symbol — within one dataset that is the DBN identity
 * (instrument_id, ts_event, sequence), since an instrument id names one contract per day.
 */
import { Frame, type Column, type ColumnValues } from "../frame";
import { decodeParquet } from "../parquet";
import { utcDateHour } from "../core/keys";
import type { Store } from "../storage/store";

const NS_PER_HOUR = 3_600_000_000_000;
const NS_PER_HOUR_N = 3_600_000_000_000n;
const TWO32 = 4294967296;
const EDGE = 1e6; // float error of a ns timestamp near 1.8e18 is ~256 ns; 1 ms is a safe margin

export interface HourGroup {
  date: string;
  hour: string;
  frame: Frame;
}

export function splitByHour(frame: Frame): HourGroup[] {
  const ts = frame.values<BigInt64Array>("ts_event_ns");
  const n = frame.numRows;
  const t32 = new Int32Array(ts.buffer, ts.byteOffset, n * 2);
  const hourOf = new Float64Array(n);
  const groups = new Map<number, number[]>();
  let last = NaN;
  let contiguous = true;
  // rows well inside the last row's hour (EDGE from either end) need no division
  let h = NaN, inLo = 0, inHi = -1;
  for (let r = 0; r < n; r++) {
    const approx = t32[r * 2 + 1]! * TWO32 + (t32[r * 2]! >>> 0);
    if (!(approx > inLo && approx < inHi)) {
      h = Math.floor(approx / NS_PER_HOUR);
      const within = approx - h * NS_PER_HOUR;
      if (within < EDGE || within > NS_PER_HOUR - EDGE) {
        const t = ts[r]!;
        h = Number((t - (((t % NS_PER_HOUR_N) + NS_PER_HOUR_N) % NS_PER_HOUR_N)) / NS_PER_HOUR_N);
        inLo = 0;
        inHi = -1; // at an edge: decide the next row afresh
      } else {
        inLo = h * NS_PER_HOUR + EDGE;
        inHi = (h + 1) * NS_PER_HOUR - EDGE;
      }
    }
    hourOf[r] = h;
    if (h !== last) {
      if (groups.has(h)) contiguous = false;
      else groups.set(h, []);
      last = h;
    }
  }
  const out: HourGroup[] = [];
  if (contiguous) {
    let from = 0;
    for (let r = 1; r <= n; r++) {
      if (r === n || hourOf[r] !== hourOf[from]) {
        out.push({ ...label(hourOf[from]!), frame: r - from === n ? frame : sliceView(frame, from, r) });
        from = r;
      }
    }
    return out;
  }
  for (let r = 0; r < n; r++) groups.get(hourOf[r]!)!.push(r);
  for (const [h, rows] of [...groups].sort((a, b) => a[0] - b[0])) out.push({ ...label(h), frame: frame.take(rows) });
  return out;
}

function label(hourIndex: number): { date: string; hour: string } {
  return utcDateHour(BigInt(hourIndex) * NS_PER_HOUR_N);
}

/** Identity keys of the rows already in a partition directory, loaded once per import. */
export class ExistingRows {
  private cache = new Map<string, Set<string> | null>();
  dropped = 0;

  constructor(private readonly store: Store) {}

  private async load(dir: string, idColumn: string): Promise<Set<string> | null> {
    if (this.cache.has(dir)) return this.cache.get(dir)!;
    let set: Set<string> | null = null;
    for (const obj of await this.store.list(`${dir}/`)) {
      if (!obj.key.endsWith(".parquet")) continue;
      const f = await decodeParquet(await this.store.get(obj.key), { columns: [idColumn, "ts_event_ns", "seq"] });
      set ??= new Set();
      const ids = f.values<(string | null)[]>(idColumn), ts = f.values<BigInt64Array>("ts_event_ns");
      const seqCol = f.column("seq");
      const seq = seqCol.values as BigInt64Array;
      for (let r = 0; r < f.numRows; r++) set.add(`${ids[r]}|${ts[r]}|${seqCol.valid && !seqCol.valid[r] ? "" : seq[r]}`);
    }
    this.cache.set(dir, set);
    return set;
  }

  /** The rows of `frame` not yet in `dir`. */
  async filter(dir: string, idColumn: string, frame: Frame): Promise<Frame> {
    const set = await this.load(dir, idColumn);
    if (!set) return frame;
    const ids = frame.values<(string | null)[]>(idColumn), ts = frame.values<BigInt64Array>("ts_event_ns"), seq = frame.values<BigInt64Array>("seq");
    const keep: number[] = [];
    for (let r = 0; r < frame.numRows; r++) if (!set.has(`${ids[r]}|${ts[r]}|${seq[r]}`)) keep.push(r);
    this.dropped += frame.numRows - keep.length;
    return keep.length === frame.numRows ? frame : frame.take(keep);
  }
}

/** Rows [from, to) without copying the typed arrays. */
export function sliceView(frame: Frame, from: number, to: number): Frame {
  const cols: Column[] = frame.columns.map((c) => ({
    name: c.name,
    type: c.type,
    values: (Array.isArray(c.values) ? c.values.slice(from, to) : (c.values as Exclude<ColumnValues, unknown[]>).subarray(from, to)) as ColumnValues,
    ...(c.valid ? { valid: c.valid.subarray(from, to) } : {}),
  }));
  return new Frame(cols, to - from);
}
