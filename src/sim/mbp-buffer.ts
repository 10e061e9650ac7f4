/**
 * Where the futures generator puts MBP-10 rows: columns of a fixed capacity that become a
 * FUTURES_MBP10 Frame. A whole-day buffer serves the in-memory API; writing to Bronze uses
 * one buffer of an hour's capacity, turned into a Frame and reused at every UTC hour, so a
 * 25M-row day never sits in memory at once (the rows of an hour are the same either way,
 * hence the same files).
 */
import { FUTURES_MBP10, MBP10_DEPTH } from "../schemas/bronze";
import { Frame, type Column } from "../frame";
import { TICK } from "./path";
import { TimeColumn } from "./time-column";
import { hugePageBuffer } from "../runtime/huge-pages";

export class MbpBuffer {
  readonly ts: TimeColumn;
  readonly recv: TimeColumn;
  /** Exact integers below 2^53, turned into int64 once per Frame like the timestamps. */
  readonly seq: TimeColumn;
  /** Index into the day's contract list per row; the symbol column is made from it. */
  readonly contract: Uint8Array;
  /**
   * Per row, the printed best bid in ticks (front-contract tick + the contract's offset):
   * the 20 price columns follow from it (coded columns, see `toFrame`) instead of 20
   * scattered stores per row in the generator's loop.
   */
  readonly top: Int32Array;
  /** Per row, the touch's index among the hour's distinct touches (`codeTouches`). */
  private readonly touchIds: Int32Array;
  /**
   * The 20 size columns in one array: bid level k (0-based) of row r at `k * stride + r`,
   * ask level k at `(10 + k) * stride + r`; `bidSz` / `askSz` view them column by column.
   */
  readonly sizes: Int32Array;
  readonly stride: number;
  readonly bidPx: Float64Array[] = [];
  readonly bidSz: Int32Array[] = [];
  readonly askPx: Float64Array[] = [];
  readonly askSz: Int32Array[] = [];
  private readonly int64: BigInt64Array[] = [];
  private readonly zeros: Uint8Array;
  /** Rows filled so far. */
  n = 0;

  constructor(readonly capacity: number) {
    this.ts = new TimeColumn(capacity);
    this.recv = new TimeColumn(capacity);
    this.seq = new TimeColumn(capacity);
    this.contract = new Uint8Array(capacity);
    this.top = new Int32Array(capacity);
    this.touchIds = new Int32Array(capacity);
    this.zeros = new Uint8Array(capacity);
    // The 20 size columns are views of one Int32Array `stride` apart — the generator's 20
    // stores of a row index one array — and each starts 320 bytes further past a page
    // boundary than the last: page-aligned, the stores of a row all hit the same L1 cache set
    // and evicted each other. The price columns are coded and seldom filled (see `toFrame`).
    this.stride = padded(capacity * 4) / 4;
    this.sizes = new Int32Array(hugePageBuffer(MBP10_DEPTH * 2 * this.stride * 4));
    const pxBytes = padded(capacity * 8);
    const px = hugePageBuffer(MBP10_DEPTH * 2 * pxBytes);
    for (let k = 0; k < MBP10_DEPTH; k++) {
      this.bidSz.push(this.sizes.subarray(k * this.stride, k * this.stride + capacity));
      this.askSz.push(this.sizes.subarray((MBP10_DEPTH + k) * this.stride, (MBP10_DEPTH + k) * this.stride + capacity));
      this.bidPx.push(new Float64Array(px, 2 * k * pxBytes, capacity));
      this.askPx.push(new Float64Array(px, (2 * k + 1) * pxBytes, capacity));
    }
  }

  /**
   * The filled rows as a Frame (epoch ns from `startNs` + offsets) viewing the buffer's
   * arrays: valid until the buffer is refilled. The 20 price columns are coded columns
   * (`Column.codes`): every level follows the touch, so one id per row into the hour's
   * distinct touches codes them all, and their values are only filled if something reads them
   * (writing Bronze does not: the encoder takes the codes).
   */
  toFrame(startNs: bigint, source: string, symbols: readonly string[]): Frame {
    const n = this.n;
    if (n > this.capacity) throw new Error(`sim bookkeeping: ${n} MBP-10 rows in a buffer of ${this.capacity}`);
    const cut = <T extends Float64Array | Int32Array>(a: T): T => (n === a.length ? a : (a.subarray(0, n) as T));
    const touches = this.codeTouches(n);
    const cols: Column[] = [];
    for (const def of FUTURES_MBP10.columns) {
      const lvl = /^(bid|ask)_(px|sz)_(\d+)$/.exec(def.name);
      if (lvl && lvl[2] === "px") {
        // bid level k sits k ticks under the touch, ask level k one tick over it plus k
        const k = Number(lvl[3]) - 1;
        const bid = lvl[1] === "bid";
        cols.push(priceColumn(def.name, cut(bid ? this.bidPx[k]! : this.askPx[k]!), touches, bid ? -k : 1 + k));
        continue;
      }
      let values;
      if (lvl) {
        const k = Number(lvl[3]) - 1;
        values = cut(lvl[1] === "bid" ? this.bidSz[k]! : this.askSz[k]!);
      } else {
        switch (def.name) {
          case "ts_event_ns": values = this.ts.toBigInt(startNs, n, this.int64Out(0)); break;
          case "ts_recv_ns": values = this.recv.toBigInt(startNs, n, this.int64Out(1)); break;
          case "source": values = new Array<string | null>(n).fill(source); break;
          case "symbol": values = symbolValues(this.contract, n, symbols); break;
          case "is_snapshot": values = this.zeros.subarray(0, n); break;
          case "seq": values = this.seq.toBigInt(0n, n, this.int64Out(2)); break;
          default: throw new Error(`sim: no generator for futures.mbp10 column ${def.name}`);
        }
      }
      cols.push({ name: def.name, type: def.type, values });
    }
    return new Frame(cols, n);
  }

  /** Reused int64 outputs (ts_event, ts_recv, seq): a Frame from `toFrame` views them. */
  private int64Out(i: number): BigInt64Array {
    return (this.int64[i] ??= new BigInt64Array(hugePageBuffer(8 * this.capacity)));
  }

  /** The first `n` rows' touches as ids into the distinct touch ticks, in order of first appearance. */
  private codeTouches(n: number): Touches {
    const top = this.top;
    const ids = this.touchIds.subarray(0, n);
    const idOf = new Map<number, number>();
    const ticks: number[] = [];
    // a run of equal touches at a time: the touch moves on a fraction of a percent of the rows
    for (let a = 0; a < n; ) {
      const t = top[a]!;
      let id = idOf.get(t);
      if (id === undefined) {
        id = ticks.length;
        idOf.set(t, id);
        ticks.push(t);
      }
      let b = a + 1;
      while (b < n && top[b] === t) b++;
      ids.fill(id, a, b);
      a = b;
    }
    return { ids, ticks: Int32Array.from(ticks) };
  }
}

/**
 * One hour buffer for a run of days written hour by hour (`GenerateDayOptions.hourBuffers`).
 * Every day needs one of about the same size; a fresh one a day was ~200 MB that the batch
 * allocator setting (src/runtime/allocator.ts) keeps instead of returning, so a multi-day
 * `lake simulate` grew by that much per day.
 */
export class HourBuffers {
  private buffer: MbpBuffer | undefined;

  /** An empty buffer of at least `capacity` rows; the previous one's frames become invalid. */
  take(capacity: number): MbpBuffer {
    // headroom: the next day's busiest hour is rarely exactly as large
    if (!this.buffer || this.buffer.capacity < capacity) this.buffer = new MbpBuffer(Math.ceil(capacity * 1.1));
    this.buffer.n = 0;
    return this.buffer;
  }
}

interface Touches {
  /** Per row, the index of its touch in `ticks`. */
  readonly ids: Int32Array;
  /** The distinct touch ticks (printed best bid). */
  readonly ticks: Int32Array;
}

/**
 * A price level as a coded column: the table is the level's price at each distinct touch
 * (`shift` ticks from the best bid); the values are written into `out` on first read only.
 */
function priceColumn(name: string, out: Float64Array, touches: Touches, shift: number): Column {
  const table = new Float64Array(touches.ticks.length);
  for (let j = 0; j < table.length; j++) table[j] = (touches.ticks[j]! + shift) * TICK;
  const codes = { ids: touches.ids, table };
  let filled = false;
  return {
    name,
    type: "float64",
    codes,
    get values() {
      if (!filled) {
        const ids = codes.ids;
        for (let r = 0; r < out.length; r++) out[r] = table[ids[r]!]!;
        filled = true;
      }
      return out;
    },
  };
}

function symbolValues(contract: Uint8Array, n: number, symbols: readonly string[]): (string | null)[] {
  const out = new Array<string | null>(n);
  for (let i = 0; i < n; i++) out[i] = symbols[contract[i]!]!;
  return out;
}

const PAGE = 4096;
const SKEW = 320;

function padded(bytes: number): number {
  return Math.ceil(bytes / PAGE) * PAGE + SKEW;
}
