/**
 * Which Parquet objects of a listing are live, given compaction (docs/compaction.md).
 *
 * A compaction of one partition-hour writes its output files `compact-{run}-{i}.parquet`,
 * then its commit record `compact-{run}.json` beside them, then deletes its inputs. The
 * record is the commit point:
 *   - an output whose record does not exist is invisible (a compaction that died before
 *     committing: its inputs are still there and still counted);
 *   - once the record exists, its outputs are visible and every input it names is hidden,
 *     whether or not the input has been deleted yet — so nothing is counted twice between
 *     the commit and the deletes, and nothing is missing before the commit.
 * Records are immutable (put without overwrite, unique names), so a process reads each once,
 * and an hour at rest (one run's outputs beside its record) needs no record read at all.
 *
 * A day switch (`lake simulate --overwrite`, src/compact/day-switch.ts) replaces many hours
 * of several tables at one instant: its outputs carry a switch run id (`…-s…`), and until
 * their per-hour records are written, the hour's record is its entry in the one switch record
 * `_compact/switch-{run}.json` — the commit point of the whole day. One listing looks that
 * record up once, so every hour it covers resolves the same way.
 */
import { LakeError } from "../errors";
import type { ObjectInfo, Store } from "../storage/store";
import { getIfExists } from "../storage/store";

/** `{consumer: [[fromSeq, toSeq], …]}`: stream-sequence ranges, sorted and merged. */
export type SeqRanges = Record<string, [number, number][]>;

export interface CompactionRecord {
  version: 1;
  kind: "lake.compaction";
  /** Schema name of the table, e.g. `futures.trades.v1`. */
  table: string;
  /** Run id shared by the record and its outputs. */
  run: string;
  createdAt: string;
  outputs: { key: string; rows: number; bytes: number }[];
  inputs: { key: string; size: number; rows: number }[];
  rows: number;
  /** Union of the inputs' stream-sequence ranges, per consumer (lake-written inputs only). */
  seqRanges: SeqRanges;
  /** Inputs that carry no stream sequence (predecessor files). */
  inputsWithoutSeq: number;
  /**
   * The files as first written (by ingest, a backfill or the predecessor) whose rows this
   * record's outputs hold: an input that was itself a compaction output contributes its own
   * record's leaves. Silver lineage identifies Bronze by these, so compaction never changes it.
   */
  leaves: Leaf[];
}

export interface Leaf {
  key: string;
  size: number;
  sha256: string;
}

const RECORD_RE = /(?:^|\/)compact-([A-Za-z0-9]+-[A-Za-z0-9]+)\.json$/;
const OUTPUT_RE = /(?:^|\/)compact-([A-Za-z0-9]+-[A-Za-z0-9]+)-(\d+)\.parquet$/;

export function recordKeyFor(dir: string, run: string): string {
  return `${dir}/compact-${run}.json`;
}

export function outputKeyFor(dir: string, run: string, i: number): string {
  return `${dir}/compact-${run}-${i}.parquet`;
}

/** The run id of a compaction output key, or null for any other object. */
export function outputRun(key: string): string | null {
  return OUTPUT_RE.exec(key)?.[1] ?? null;
}

/** The run id of a compaction record key, or null for any other object. */
export function recordRun(key: string): string | null {
  return RECORD_RE.exec(key)?.[1] ?? null;
}

export function dirOf(key: string): string {
  return key.slice(0, key.lastIndexOf("/"));
}

/** One commit for the hours of a day switch: each entry is the record its hour gets later. */
export interface SwitchRecord {
  version: 1;
  kind: "lake.switch";
  run: string;
  createdAt: string;
  /** Free text: what replaced the day (e.g. `lake simulate --seed 2`). */
  reason: string;
  hours: CompactionRecord[];
}

const SWITCH_RUN_RE = /^[A-Za-z0-9]+-s[A-Za-z0-9]*$/;

/** Whether a run id is a day switch's (its outputs may be committed by the switch record). */
export function isSwitchRun(run: string): boolean {
  return SWITCH_RUN_RE.test(run);
}

export function switchKeyFor(run: string): string {
  return `_compact/switch-${run}.json`;
}

/** Switch records looked up during one listing: each run once, so all its hours agree. */
export type SwitchLookups = Map<string, Promise<SwitchRecord | null>>;


/**
 * A committed record, or null when it does not exist. Cached per store and key (immutable).
 * For a switch run without its hour record yet, the hour's entry of the switch record.
 */
export function readRecord(store: Store, key: string, switches?: SwitchLookups): Promise<CompactionRecord | null> {
  const direct = cachedJson(store, key, (r) => parseRecord(key, r));
  const run = recordRun(key);
  if (run === null || !isSwitchRun(run)) return direct;
  return direct.then(async (r) => {
    if (r) return r;
    const sw = await lookupSwitch(store, run, switches);
    const dir = dirOf(key);
    return sw?.hours.find((h) => h.outputs.length > 0 && dirOf(h.outputs[0]!.key) === dir) ?? null;
  });
}

/** The switch record of a run, or null while it is uncommitted (or after it was finished). */
export function readSwitch(store: Store, run: string): Promise<SwitchRecord | null> {
  return cachedJson(store, switchKeyFor(run), (r) => parseSwitch(switchKeyFor(run), r));
}

function lookupSwitch(store: Store, run: string, switches?: SwitchLookups): Promise<SwitchRecord | null> {
  if (!switches) return readSwitch(store, run);
  let p = switches.get(run);
  if (!p) {
    p = readSwitch(store, run);
    switches.set(run, p);
  }
  return p;
}

const jsonCache = new Map<string, Promise<unknown>>();

function cachedJson<T>(store: Store, key: string, parse: (raw: unknown) => T): Promise<T | null> {
  const id = `${store.root}\0${key}`;
  let p = jsonCache.get(id) as Promise<T | null> | undefined;
  if (!p) {
    p = loadJson(store, key, parse);
    jsonCache.set(id, p);
    // absence and failures are not remembered: the record may be committed a moment later
    p.then(
      (r) => r === null && jsonCache.delete(id),
      () => jsonCache.delete(id),
    );
  }
  return p;
}

async function loadJson<T>(store: Store, key: string, parse: (raw: unknown) => T): Promise<T | null> {
  const bytes = await getIfExists(store, key);
  if (bytes === null) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    // Records are written atomically, so a torn one means outside damage: refuse to guess
    // which files are live rather than count rows twice or drop them.
    throw new LakeError(`compaction record ${key} is not valid JSON (${(e as Error).message}); restore or delete it with its outputs`);
  }
  return parse(raw);
}

function parseRecord(key: string, raw: unknown): CompactionRecord {
  const r = raw as CompactionRecord;
  if (r?.kind !== "lake.compaction" || !Array.isArray(r.inputs) || !Array.isArray(r.outputs)) {
    throw new LakeError(`compaction record ${key} is not a lake compaction record`);
  }
  return r;
}

function parseSwitch(key: string, raw: unknown): SwitchRecord {
  const r = raw as SwitchRecord;
  if (r?.kind !== "lake.switch" || !Array.isArray(r.hours)) throw new LakeError(`switch record ${key} is not a lake switch record`);
  r.hours.forEach((h, i) => parseRecord(`${key} hour ${i}`, h));
  return r;
}

export interface LiveListing {
  /** Parquet objects a reader must see, sorted by key. */
  live: ObjectInfo[];
  /** Committed records read, by key (all listed ones with `allRecords`). */
  records: Map<string, CompactionRecord>;
  /** Parquet objects hidden because a committed record names them as inputs. */
  superseded: ObjectInfo[];
  /** Compaction outputs without a committed record (a compaction in flight or one that died). */
  uncommitted: ObjectInfo[];
}

/**
 * Resolve a raw listing (every object under a prefix) to the live Parquet objects.
 * Listings are not snapshots: an output seen without its record is checked again (the
 * record may have been committed while the listing ran), and so is a record whose output
 * the listing missed.
 */
export async function resolveLive(store: Store, objects: readonly ObjectInfo[], opts: { allRecords?: boolean } = {}): Promise<LiveListing> {
  const parquet = objects.filter((o) => o.key.endsWith(".parquet") && !basename(o.key).startsWith("."));
  const listedRecords = objects.filter((o) => recordRun(o.key) !== null).map((o) => o.key);
  const records = new Map<string, CompactionRecord>();
  if (listedRecords.length === 0 && !parquet.some((o) => outputRun(o.key) !== null)) {
    return { live: parquet, records, superseded: [], uncommitted: [] };
  }
  const recordKeys = new Set(opts.allRecords ? listedRecords : []);
  const listedSet = new Set(listedRecords);
  const byDir = new Map<string, ObjectInfo[]>();
  for (const o of parquet) {
    const d = dirOf(o.key);
    const list = byDir.get(d);
    if (list) list.push(o);
    else byDir.set(d, [o]);
  }
  for (const [dir, files] of byDir) {
    const runs = new Set(files.map((o) => outputRun(o.key)));
    const [only] = runs;
    // A compacted hour at rest — the outputs of one committed run and nothing else — needs no
    // record read: a record never names its own outputs, nor files newer than itself.
    if (runs.size === 1 && only !== null && only !== undefined && listedSet.has(recordKeyFor(dir, only))) continue;
    for (const k of listedRecords) if (dirOf(k) === dir) recordKeys.add(k);
    // outputs listed without their record: was it committed meanwhile?
    for (const run of runs) if (run !== null) recordKeys.add(recordKeyFor(dir, run));
  }
  const committedUnread = new Set<string>();
  const keys = [...recordKeys];
  const switches: SwitchLookups = new Map();
  const loaded = await Promise.all(keys.map((k) => readRecord(store, k, switches)));
  keys.forEach((k, i) => loaded[i] && records.set(k, loaded[i]!));
  for (const k of listedRecords) if (!recordKeys.has(k)) committedUnread.add(k);

  const hidden = new Set<string>();
  for (const r of records.values()) for (const inp of r.inputs) hidden.add(inp.key);
  const byKey = new Map(parquet.map((o) => [o.key, o]));
  // a committed output the listing missed (created while the listing ran) is still live
  for (const r of records.values()) {
    for (const out of r.outputs) {
      if (byKey.has(out.key) || hidden.has(out.key)) continue;
      const st = await store.stat(out.key);
      if (st) byKey.set(out.key, st);
    }
  }
  const live: ObjectInfo[] = [];
  const superseded: ObjectInfo[] = [];
  const uncommitted: ObjectInfo[] = [];
  for (const o of byKey.values()) {
    const run = outputRun(o.key);
    if (hidden.has(o.key)) superseded.push(o);
    else if (run !== null && !records.has(recordKeyFor(dirOf(o.key), run)) && !committedUnread.has(recordKeyFor(dirOf(o.key), run))) uncommitted.push(o);
    else live.push(o);
  }
  live.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { live, records, superseded, uncommitted };
}

function basename(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1);
}

/** Sort and merge overlapping or adjacent ranges. */
export function mergeRanges(ranges: readonly [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** The union of several consumers' range sets. */
export function unionSeqRanges(parts: readonly SeqRanges[]): SeqRanges {
  const acc = new Map<string, [number, number][]>();
  for (const p of parts) for (const [c, rs] of Object.entries(p)) acc.set(c, [...(acc.get(c) ?? []), ...rs]);
  const out: SeqRanges = {};
  for (const c of [...acc.keys()].sort()) out[c] = mergeRanges(acc.get(c)!);
  return out;
}
