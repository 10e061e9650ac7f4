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
   * the 20 price columns follow from it and are filled column by column in `toFrame` —
   * sequential stores, instead of 20 scattered ones per row in the generator's loop.
   */
  readonly top: Int32Array;
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
    this.zeros = new Uint8Array(capacity);
    // The 40 level columns are views of one buffer, each starting 320 bytes further past a
    // page boundary than the last: separately allocated, they all began page-aligned, so the
    // 40 stores of a row hit the same L1 cache set and evicted each other (≈ 20 % of the fill).
    const pxBytes = padded(capacity * 8);
    const szBytes = padded(capacity * 4);
    const buf = hugePageBuffer(MBP10_DEPTH * 2 * (pxBytes + szBytes));
    let o = 0;
    for (let k = 0; k < MBP10_DEPTH; k++) {
      this.bidPx.push(new Float64Array(buf, o, capacity));
      o += pxBytes;
      this.bidSz.push(new Int32Array(buf, o, capacity));
      o += szBytes;
      this.askPx.push(new Float64Array(buf, o, capacity));
      o += pxBytes;
      this.askSz.push(new Int32Array(buf, o, capacity));
      o += szBytes;
    }
  }

  /**
   * The filled rows as a Frame (epoch ns from `startNs` + offsets) viewing the buffer's
   * arrays: valid until the buffer is refilled.
   */
  toFrame(startNs: bigint, source: string, symbols: readonly string[]): Frame {
    const n = this.n;
    if (n > this.capacity) throw new Error(`sim bookkeeping: ${n} MBP-10 rows in a buffer of ${this.capacity}`);
    const cut = <T extends Float64Array | Int32Array>(a: T): T => (n === a.length ? a : (a.subarray(0, n) as T));
    this.fillPrices(n);
    const cols: Column[] = [];
    for (const def of FUTURES_MBP10.columns) {
      const lvl = /^(bid|ask)_(px|sz)_(\d+)$/.exec(def.name);
      let values;
      if (lvl) {
        const k = Number(lvl[3]) - 1;
        values = cut(lvl[1] === "bid" ? (lvl[2] === "px" ? this.bidPx[k]! : this.bidSz[k]!) : lvl[2] === "px" ? this.askPx[k]! : this.askSz[k]!);
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

  /** The 20 price columns from `top`, a run of equal ticks at a time (runs are long: the touch moves rarely). */
  private fillPrices(n: number): void {
    const top = this.top;
    for (let a = 0; a < n; ) {
      const t = top[a]!;
      let b = a + 1;
      while (b < n && top[b] === t) b++;
      if (b - a < SHORT_RUN) {
        for (let k = 0; k < MBP10_DEPTH; k++) {
          const bp = this.bidPx[k]!;
          const ap = this.askPx[k]!;
          for (let r = a; r < b; r++) {
            bp[r] = (t - k) * TICK;
            ap[r] = (t + 1 + k) * TICK;
          }
        }
      } else {
        for (let k = 0; k < MBP10_DEPTH; k++) {
          this.bidPx[k]!.fill((t - k) * TICK, a, b);
          this.askPx[k]!.fill((t + 1 + k) * TICK, a, b);
        }
      }
      a = b;
    }
  }
}

/** Below this many rows a run is filled by a loop: a native fill() call costs more there. */
const SHORT_RUN = 16;

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
