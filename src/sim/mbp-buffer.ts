/**
 * Where the futures generator puts MBP-10 rows: columns of a fixed capacity that become a
 * FUTURES_MBP10 Frame. A whole-day buffer serves the in-memory API; writing to Bronze uses
 * one buffer of an hour's capacity, turned into a Frame and reused at every UTC hour, so a
 * 25M-row day never sits in memory at once (the rows of an hour are the same either way,
 * hence the same files).
 */
import { FUTURES_MBP10, MBP10_DEPTH } from "../schemas/bronze";
import { Frame, type Column } from "../frame";
import { TimeColumn } from "./time-column";

export class MbpBuffer {
  readonly ts: TimeColumn;
  readonly recv: TimeColumn;
  readonly sym: (string | null)[];
  /** Exact integers below 2^53, turned into int64 once per Frame like the timestamps. */
  readonly seq: TimeColumn;
  readonly contract: Uint8Array;
  readonly bidPx: Float64Array[] = [];
  readonly bidSz: Int32Array[] = [];
  readonly askPx: Float64Array[] = [];
  readonly askSz: Int32Array[] = [];
  /** Rows filled so far. */
  n = 0;

  constructor(readonly capacity: number) {
    this.ts = new TimeColumn(capacity);
    this.recv = new TimeColumn(capacity);
    this.sym = new Array<string | null>(capacity);
    this.seq = new TimeColumn(capacity);
    this.contract = new Uint8Array(capacity);
    for (let k = 0; k < MBP10_DEPTH; k++) {
      this.bidPx.push(new Float64Array(capacity));
      this.bidSz.push(new Int32Array(capacity));
      this.askPx.push(new Float64Array(capacity));
      this.askSz.push(new Int32Array(capacity));
    }
  }

  /**
   * The filled rows as a Frame (epoch ns from `startNs` + offsets). With `copy`, the Frame
   * owns its arrays and the buffer can be refilled; without, it views the buffer's arrays.
   */
  toFrame(startNs: bigint, source: string, copy: boolean): Frame {
    const n = this.n;
    if (n > this.capacity) throw new Error(`sim bookkeeping: ${n} MBP-10 rows in a buffer of ${this.capacity}`);
    const cut = <T extends Float64Array | Int32Array | BigInt64Array>(a: T): T => (copy ? (a.slice(0, n) as T) : n === a.length ? a : (a.subarray(0, n) as T));
    const cols: Column[] = [];
    for (const def of FUTURES_MBP10.columns) {
      const lvl = /^(bid|ask)_(px|sz)_(\d+)$/.exec(def.name);
      let values;
      if (lvl) {
        const k = Number(lvl[3]) - 1;
        values = cut(lvl[1] === "bid" ? (lvl[2] === "px" ? this.bidPx[k]! : this.bidSz[k]!) : lvl[2] === "px" ? this.askPx[k]! : this.askSz[k]!);
      } else {
        switch (def.name) {
          case "ts_event_ns": values = timeValues(this.ts, n, startNs); break;
          case "ts_recv_ns": values = timeValues(this.recv, n, startNs); break;
          case "source": values = new Array<string | null>(n).fill(source); break;
          case "symbol": values = copy || n !== this.capacity ? this.sym.slice(0, n) : this.sym; break;
          case "is_snapshot": values = new Uint8Array(n); break;
          case "seq": values = this.seq.toBigInt(0n, n); break;
          default: throw new Error(`sim: no generator for futures.mbp10 column ${def.name}`);
        }
      }
      cols.push({ name: def.name, type: def.type, values });
    }
    return new Frame(cols, n);
  }
}

function timeValues(col: TimeColumn, n: number, startNs: bigint): BigInt64Array {
  return col.toBigInt(startNs, n);
}
