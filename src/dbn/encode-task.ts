/**
 * The Parquet encode of an import batch, on the importing thread (default) or on a batch
 * worker (`lake import dbn --workers N`): while the worker sorts, compresses and encodes batch
 * k, the importing thread decodes batch k+1. The decoder's columns are then shared memory
 * (frame-stream.ts), other typed arrays are transferred, so nothing is copied; the string
 * columns (contract symbol, constant `source`) travel as a dictionary and codes rather than
 * as a structured clone of a quarter-million-element array of strings.
 */
import { Frame, type Column } from "../frame";
import { encodeParquet } from "../parquet";
import type { WorkerPool } from "../runtime/pool";
import { transfer } from "../runtime/tasks";
import { bronzeTable } from "../schemas/bronze";

/** Name of the task in the batch worker registry (src/app/tasks.ts). */
export const ENCODE_TASK = "dbn.encodeFiles";

export interface EncodeJob {
  /** Bronze table key, e.g. `futures.mbp10`. */
  table: string;
  frame: Frame;
  metadata: Record<string, string>;
}

/** Parquet bytes of each job, in order. */
export type BatchEncoder = (jobs: EncodeJob[]) => Promise<Uint8Array[]>;

export const encodeHere: BatchEncoder = async (jobs) => jobs.map(encodeJob);

function encodeJob(j: EncodeJob): Uint8Array {
  return encodeParquet(j.frame, { schema: bronzeTable(j.table).schema, metadata: j.metadata });
}

/** Encodes on `pool`; the jobs' typed arrays are moved to the worker (unusable here afterwards). */
export function poolEncoder(pool: WorkerPool): BatchEncoder {
  return (jobs) => pool.run<Uint8Array[]>(ENCODE_TASK, jobs.map(toWire), { transfer: true });
}

interface WireColumn {
  name: string;
  type: Column["type"];
  values?: Column["values"];
  valid?: Uint8Array;
  /** utf8: the distinct values, and each row's index into them (codes absent: one value). */
  dict?: (string | null)[];
  codes?: Uint8Array | Uint16Array | Uint32Array;
}

interface WireJob {
  table: string;
  numRows: number;
  columns: WireColumn[];
  metadata: Record<string, string>;
}

function toWire(j: EncodeJob): WireJob {
  return { table: j.table, numRows: j.frame.numRows, metadata: j.metadata, columns: j.frame.columns.map(wireColumn) };
}

function wireColumn(c: Column): WireColumn {
  if (c.type !== "utf8" || c.valid) return { name: c.name, type: c.type, values: c.values, valid: c.valid };
  const values = c.values as (string | null)[];
  const index = new Map<string | null, number>();
  const dict: (string | null)[] = [];
  const codes = new Uint32Array(values.length);
  let last: string | null | undefined, lastCode = 0;
  for (let r = 0; r < values.length; r++) {
    const v = values[r]!;
    if (v !== last) {
      let k = index.get(v);
      if (k === undefined) index.set(v, (k = dict.push(v) - 1));
      last = v;
      lastCode = k;
    }
    codes[r] = lastCode;
  }
  if (dict.length <= 1) return { name: c.name, type: c.type, dict: dict.length ? dict : [null] };
  return { name: c.name, type: c.type, dict, codes: dict.length <= 256 ? Uint8Array.from(codes) : dict.length <= 65536 ? Uint16Array.from(codes) : codes };
}

function fromWire(c: WireColumn, n: number): Column {
  if (!c.dict) return c as Column;
  const values = new Array<string | null>(n);
  if (!c.codes) values.fill(c.dict[0]!);
  else for (let r = 0; r < n; r++) values[r] = c.dict[c.codes[r]!]!;
  return { name: c.name, type: c.type, values };
}

/**
 * A batch leaves tens of MB of short-lived typed arrays (pages, sorted copies, file bytes) that
 * each thread's collector counts lazily. A full collection per batch kept the peak near one
 * batch but cost ~10–15 % of the import's CPU; collecting only once the process is past this
 * size keeps the peak bounded (< 1 GB whatever the file size) at a fraction of that.
 */
const COLLECT_ABOVE_RSS = 448 * 2 ** 20;

export function collectIfLarge(): void {
  if (process.memoryUsage.rss() > COLLECT_ABOVE_RSS) Bun.gc(true);
}

/** The worker side: encode each job; the Parquet bytes move back. */
export function encodeFilesTask(jobs: WireJob[]): Uint8Array[] {
  const out = jobs.map((j) => encodeJob({ table: j.table, metadata: j.metadata, frame: new Frame(j.columns.map((c) => fromWire(c, j.numRows)), j.numRows) }));
  collectIfLarge();
  return transfer(out);
}
