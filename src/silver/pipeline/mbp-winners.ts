/**
 * §5.1 step 2 at volume: one MBP-10 snapshot per 250 ms bucket, in memory and time
 * proportional to what the pipeline uses, not to the day's book updates.
 *
 * 1. Winners from the timestamp column alone. The reference path decodes each file's
 *    `ts_event_ns` pages straight into exact offsets from T0 (ts-pages.ts: no DuckDB, no
 *    BigInt per row; row groups outside the window are pruned by the ts statistics the lake
 *    writes). The corrected variant's contract predicate needs `symbol`, so there DuckDB
 *    streams (ts − T0, row) of the selected contract, one file at a time. Either way JS
 *    keeps per bucket the row with the largest ts in plain arrays indexed by bucket (~1 slot
 *    per 250 ms): memory does not grow with the day's rows.
 * 2. Ties on the largest ts (several book updates of one exchange event) are broken by the
 *    highest seq (a missing seq ranks lowest), then the last row in file order: only the
 *    tied rows' `seq` cells are read.
 * 3. Only the winners' depth cells are read (row-gather.ts): per file, row groups and
 *    pages without a winner are skipped, every other page is decoded once and dropped (the
 *    lake's dictionary-encoded depth pages are answered from their index runs).
 *
 * The bucket index is the reference's: float division of the exact ns offset (< 2^53), then
 * round-half-even (or floor, D-11) — the same function S1 applies to in-memory input.
 */
import { Frame, type Column } from "../../frame";
import { DuckSession } from "../../read/duck";
import { gatherRows, type NumericColumnDef } from "../../read/row-gather";
import { projection, READ_OPTS, onDiskTypes, type ScanRequest } from "../../read/scan";
import { eachTsOffsets } from "../../read/ts-pages";
import type { TableSchema } from "../../schemas/types";
import { roundHalfEven } from "./numeric";
import { hugePageBuffer } from "../../runtime/huge-pages";

/** §5.1 bucket rule: width, and floor ([FIX] D-11) instead of round-half-even. */
export interface Downsample {
  intervalNs: bigint;
  floor: boolean;
}

/** The §5.1 bucket of a row x ns after T0: the reference's float division, then rounding. */
export function bucketIndex(x: number, intervalNs: number, floor: boolean): number {
  const q = x / intervalNs;
  return floor ? Math.floor(q) : roundHalfEven(q);
}

/** Winners in bucket (= ts) order: where each lives. */
interface Winners {
  ts: BigInt64Array;
  file: Int32Array;
  row: Float64Array;
}

const SEQ: NumericColumnDef = { name: "seq", type: "int64", nullable: true };

/**
 * The bucket winners of `req` (paths, contract predicate) within [t0, t1], as a Frame of
 * `schema` (ts_event_ns and numeric columns such as the depth), sorted by ts.
 */
export async function downsampledMbp(req: Pick<ScanRequest, "paths" | "where">, schema: TableSchema, t0: bigint, t1: bigint, d: Downsample): Promise<Frame> {
  if (req.paths.length === 0) return Frame.empty(schema);
  const best = new BucketBest(t0, t1, d);
  if (req.where) await duckOffsets(req, best);
  else for (const [fi, path] of req.paths.entries()) await eachTsOffsets(path, t0, t0, t1, (b) => best.offerAll(fi, b.row0, b.x));
  await best.breakTies(req.paths);
  const w = best.winners();
  const gathered = schema.columns.filter((c) => c.name !== "ts_event_ns") as NumericColumnDef[];
  const cols = await gatherWinners(req.paths, w, gathered);
  const byName = new Map<string, Column>([["ts_event_ns", { name: "ts_event_ns", type: "int64", values: w.ts }], ...cols.map((c) => [c.name, c] as const)]);
  return new Frame(
    schema.columns.map((c) => byName.get(c.name)!),
    w.ts.length,
  );
}

/** The running largest-ts row per bucket, and the rows that tie with it. */
class BucketBest {
  readonly span: number;
  readonly iv: number;
  readonly x: Float64Array;
  readonly file: Int32Array;
  readonly row: Float64Array;
  /** bucket → rows sharing its largest ts, as [file, row] (only buckets with a tie). */
  readonly ties = new Map<number, [number, number][]>();

  constructor(
    readonly t0: bigint,
    t1: bigint,
    readonly d: Downsample,
  ) {
    this.iv = Number(d.intervalNs);
    this.span = Number(t1 - t0);
    const nb = Math.floor(this.span / this.iv) + 2;
    this.x = new Float64Array(nb).fill(-1);
    this.file = new Int32Array(nb);
    this.row = new Float64Array(nb);
  }

  /** Rows row0… of file `fi` with offsets x (rows outside [0, span] are skipped). */
  offerAll(fi: number, row0: number, x: Float64Array, rows?: Float64Array): void {
    const { span, iv } = this;
    const floor = this.d.floor;
    const bx = this.x;
    // Rows come in ts order within a file: strictly inside the last row's bucket (1 ns from
    // either edge, far beyond the division's rounding error) the bucket is known without
    // dividing and rounding.
    let b = -1, inLo = 0, inHi = -1;
    for (let i = 0; i < x.length; i++) {
      const xi = x[i]!;
      if (xi < 0 || xi > span) continue;
      if (!(xi > inLo && xi < inHi)) {
        b = bucketIndex(xi, iv, floor);
        inLo = (floor ? b : b - 0.5) * iv + 1;
        inHi = (floor ? b + 1 : b + 0.5) * iv - 1;
      }
      const cur = bx[b]!;
      if (xi < cur) continue;
      const rn = rows ? rows[i]! : row0 + i;
      if (xi === cur) {
        this.tie(b, fi, rn);
        continue;
      }
      if (cur >= 0 && this.ties.size > 0) this.ties.delete(b);
      bx[b] = xi;
      this.file[b] = fi;
      this.row[b] = rn;
    }
  }

  private tie(b: number, fi: number, rn: number): void {
    let list = this.ties.get(b);
    if (!list) this.ties.set(b, (list = [[this.file[b]!, this.row[b]!]]));
    list.push([fi, rn]);
  }

  /** Tied buckets: the highest seq wins (missing ranks lowest), then the last row in file order. */
  async breakTies(paths: readonly string[]): Promise<void> {
    if (this.ties.size === 0) return;
    const byFile = new Map<number, number[]>();
    for (const list of this.ties.values()) for (const [fi, rn] of list) (byFile.get(fi) ?? byFile.set(fi, []).get(fi)!).push(rn);
    const seqOf = new Map<string, bigint | null>();
    for (const [fi, rns] of byFile) {
      const rows = Float64Array.from(new Set(rns)).sort();
      const [seq] = await gatherRows(paths[fi]!, rows, [SEQ]);
      rows.forEach((rn, j) => seqOf.set(`${fi}:${rn}`, seq!.valid![j] ? (seq!.values as BigInt64Array)[j]! : null));
    }
    for (const [b, list] of this.ties) {
      list.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
      let win = list[0]!;
      let winSeq = seqOf.get(`${win[0]}:${win[1]}`)!;
      for (const cand of list.slice(1)) {
        const s = seqOf.get(`${cand[0]}:${cand[1]}`)!;
        if (winSeq === null || (s !== null && s >= winSeq)) [win, winSeq] = [cand, s];
      }
      this.file[b] = win[0];
      this.row[b] = win[1];
    }
    this.ties.clear();
  }

  /** Bucket order is ts order: the bucket index never decreases with ts. */
  winners(): Winners {
    let n = 0;
    for (let b = 0; b < this.x.length; b++) if (this.x[b]! >= 0) n++;
    const w: Winners = { ts: new BigInt64Array(n), file: new Int32Array(n), row: new Float64Array(n) };
    for (let b = 0, k = 0; b < this.x.length; b++) {
      if (this.x[b]! < 0) continue;
      w.ts[k] = this.t0 + BigInt(this.x[b]!);
      w.file[k] = this.file[b]!;
      w.row[k] = this.row[b]!;
      k++;
    }
    return w;
  }
}

/** (ts − T0, row) of the rows matching the contract predicate, one file at a time. */
async function duckOffsets(req: Pick<ScanRequest, "paths" | "where">, best: BucketBest): Promise<void> {
  using s = await DuckSession.open();
  const keys: TableSchema = {
    name: "mbp10.keys",
    tier: "bronze",
    sortKey: [],
    columns: [
      { name: "ts_event_ns", type: "int64", nullable: false },
      { name: "symbol", type: "utf8", nullable: false },
    ],
  };
  const t1 = best.t0 + BigInt(best.span);
  for (const [fi, path] of req.paths.entries()) {
    const types = await onDiskTypes(s, [path]);
    const sql = [
      `SELECT (ts_event_ns - $t0)::DOUBLE AS x, file_row_number::DOUBLE AS rn`,
      `FROM (SELECT ${projection(keys, types).join(", ")}, file_row_number FROM read_parquet($files, ${READ_OPTS})) t`,
      `WHERE ts_event_ns >= $t0 AND ts_event_ns <= $t1 AND (${req.where!.sql})`,
    ].join("\n");
    for await (const f of s.stream(sql, { files: [path], t0: best.t0, t1, ...req.where!.params }, 1 << 20)) {
      best.offerAll(fi, 0, f.values<Float64Array>("x"), f.values<Float64Array>("rn"));
    }
  }
}

/** The winners' cells, file by file (one column chunk's pages in memory at a time). */
async function gatherWinners(paths: readonly string[], w: Winners, defs: readonly NumericColumnDef[]): Promise<Column[]> {
  const n = w.ts.length;
  const out = winnerColumns(defs, n);
  const byFile = new Map<number, number[]>();
  for (let k = 0; k < n; k++) (byFile.get(w.file[k]!) ?? byFile.set(w.file[k]!, []).get(w.file[k]!)!).push(k);
  for (const [fi, ks] of byFile) {
    ks.sort((a, b) => w.row[a]! - w.row[b]!);
    await gatherRows(paths[fi]!, Float64Array.from(ks, (k) => w.row[k]!), defs, { out, slots: Int32Array.from(ks) });
  }
  return out;
}

/**
 * The winners' columns (8-byte cells, then the validity masks) carved from one buffer on huge
 * pages: ~30 MB filled once, which as 80 separate arrays cost ~7 500 page faults.
 */
function winnerColumns(defs: readonly NumericColumnDef[], n: number): Column[] {
  const cells = 8 * n;
  const masks = Math.ceil(n / 8) * 8;
  const buf = hugePageBuffer(defs.length * (cells + masks));
  return defs.map((c, i) => {
    const at = i * cells;
    const values = c.type === "float64" ? new Float64Array(buf, at, n) : c.type === "int32" ? new Int32Array(buf, at, n) : new BigInt64Array(buf, at, n);
    return { name: c.name, type: c.type, values, valid: new Uint8Array(buf, defs.length * cells + i * masks, n) };
  });
}
