/**
 * Replace everything a Bronze date holds, in every table, at one instant (`lake simulate
 * --overwrite`). Per-hour compaction records cannot do it: committing hour by hour would show
 * readers a day whose morning is one market and afternoon another. The protocol, under the
 * compaction lock (docs/compaction.md, "Day switch"):
 *
 *   1. finish earlier switches; roll back outputs that never committed;
 *   2. put the new files as outputs `compact-{run}-{i}.parquet` of a switch run (`…-s…`),
 *      plus an empty output in every hour that only loses files — invisible without a record;
 *   3. put `_compact/switch-{run}.json`: one record naming, per hour, its outputs and the live
 *      files they replace. **The commit point for the whole day**: readers resolve every
 *      switch output through it (src/read/superseding.ts) and hide every file it names;
 *   4. put each hour's own record (the same entry), so the hours read like compacted ones;
 *   5. delete the replaced files, then the empty outputs and their records, then the switch
 *      record.
 * A SIGKILL before 3 leaves the old day; from 3 on, the new one; the next switch or
 * `lake compact` rolls the leftovers back or forward.
 */
import { BRONZE_TABLES, type BronzeTable } from "../schemas/bronze";
import { Frame } from "../frame";
import { encodeParquet } from "../parquet";
import { tablePrefix } from "../read/bronze-stats";
import {
  dirOf,
  isSwitchRun,
  outputKeyFor,
  outputRun,
  readRecord,
  readSwitch,
  recordKeyFor,
  recordRun,
  resolveLive,
  switchKeyFor,
  type CompactionRecord,
  type SwitchRecord,
} from "../read/superseding";
import { ObjectExistsError, type ObjectInfo, type Store } from "../storage/store";
import { switchFaultPoint } from "./faults";
import { acquireCompactionLock } from "./lock";
import { newRunId } from "./run-id";

/** Puts one new file of the day; `key` is the name it would have had written directly. */
export type SwitchPut = (key: string, bytes: Uint8Array, rows: number) => Promise<void>;

export interface SwitchOptions {
  /** What replaces the day, kept in the switch record. */
  reason: string;
  /**
   * Wait before the commit and before the deletes (ms), for listings in flight: one that
   * passed an hour before its output existed must end before the commit makes it current.
   */
  settleMs?: number;
}

export interface SwitchResult<R> {
  result: R;
  /** Live files the switch replaced. */
  replaced: number;
  run: string;
}

/** A live Parquet file of a date and the names of the files first written that hold its rows. */
export interface LiveDayFile {
  table: BronzeTable;
  file: ObjectInfo;
  /** The file itself, or for a compaction (or switch) output its record's leaves. */
  leaves: string[];
}

export interface DayListing {
  live: LiveDayFile[];
  /** Files a committed record already hides (kept by a compaction's retention). */
  superseded: LiveDayFile[];
  /** Outputs no record commits. */
  uncommitted: ObjectInfo[];
}

/** Every live Bronze file of `date` with its leaves, the hidden ones, and the outputs no record commits. */
export async function liveDay(store: Store, date: string): Promise<DayListing> {
  const live: LiveDayFile[] = [];
  const superseded: LiveDayFile[] = [];
  const uncommitted: ObjectInfo[] = [];
  for (const table of BRONZE_TABLES) {
    const res = await resolveLive(store, await store.list(`${tablePrefix(table)}/date=${date}/`));
    uncommitted.push(...res.uncommitted);
    superseded.push(...res.superseded.map((file) => ({ table, file, leaves: [file.key] })));
    for (const file of res.live) {
      const run = outputRun(file.key);
      const rec = run === null ? null : await readRecord(store, recordKeyFor(dirOf(file.key), run));
      live.push({ table, file, leaves: rec ? rec.leaves.map((l) => l.key) : [file.key] });
    }
  }
  return { live, superseded, uncommitted };
}

/**
 * Replace the live Bronze of `date` with the files `write` puts through its `SwitchPut`.
 * Readers see the old day until the switch record is committed and the new day after.
 */
export async function switchDay<R>(store: Store, date: string, write: (put: SwitchPut) => Promise<R>, opts: SwitchOptions): Promise<SwitchResult<R>> {
  const settleMs = opts.settleMs ?? 2000;
  const run = newRunId("s");
  await using _lock = await acquireCompactionLock(store, run);
  await finishSwitches(store, settleMs);
  const before = await liveDay(store, date);
  // we hold the lock: an output without a record is a dead run's, never current
  for (const o of before.uncommitted) await store.delete(o.key);

  const hours = new Map<string, CompactionRecord>();
  const hourOf = (dir: string, table: BronzeTable): CompactionRecord => {
    let h = hours.get(dir);
    if (!h) {
      h = { version: 1, kind: "lake.compaction", table: table.schema.name, run, createdAt: "", outputs: [], inputs: [], rows: 0, seqRanges: {}, inputsWithoutSeq: 0, leaves: [] };
      hours.set(dir, h);
    }
    return h;
  };
  const tableOfDir = new Map<string, BronzeTable>();
  // hidden files go too, so the records hiding them are spent once the switch is done
  for (const f of [...before.live, ...before.superseded]) {
    const dir = dirOf(f.file.key);
    tableOfDir.set(dir, f.table);
    const h = hourOf(dir, f.table);
    // a replaced file's rows are not counted (0): nothing reads them back, and counting would
    // open every file of the old day
    h.inputs.push({ key: f.file.key, size: f.file.size, rows: 0 });
  }
  const put: SwitchPut = async (key, bytes, rows) => {
    const dir = dirOf(key);
    const table = BRONZE_TABLES.find((t) => key.startsWith(`${tablePrefix(t)}/`));
    if (!table) throw new Error(`switch output ${key} is not in a Bronze table`);
    const h = hourOf(dir, table);
    const out = outputKeyFor(dir, run, h.outputs.length);
    await store.put(out, bytes);
    h.outputs.push({ key: out, rows, bytes: bytes.length });
    h.rows += rows;
    h.leaves.push({ key, size: bytes.length, sha256: new Bun.CryptoHasher("sha256").update(bytes).digest("hex") });
    switchFaultPoint("after-output");
  };
  const result = await write(put);
  // an hour that only loses files gets an empty output, so every reader of that hour looks
  // the switch up and hides them at the same instant as the rest of the day
  for (const [dir, h] of hours) {
    if (h.outputs.length) continue;
    const table = tableOfDir.get(dir)!;
    const bytes = encodeParquet(Frame.empty(table.schema), { schema: table.schema });
    const out = outputKeyFor(dir, run, 0);
    await store.put(out, bytes);
    h.outputs.push({ key: out, rows: 0, bytes: bytes.length });
    switchFaultPoint("after-output");
  }
  const createdAt = new Date().toISOString();
  const record: SwitchRecord = { version: 1, kind: "lake.switch", run, createdAt, reason: opts.reason, hours: [...hours.values()].map((h) => ({ ...h, createdAt })) };
  if (settleMs > 0) await Bun.sleep(settleMs);
  await store.put(switchKeyFor(run), JSON.stringify(record, null, 1), { contentType: "application/json" });
  switchFaultPoint("after-commit");
  await finishSwitch(store, record, settleMs);
  return { result, replaced: before.live.length, run };
}

/** Roll every committed switch forward (idempotent: each step tolerates being done already). */
export async function finishSwitches(store: Store, settleMs: number): Promise<number> {
  let n = 0;
  for (const o of await store.list("_compact/")) {
    const run = /^_compact\/switch-([A-Za-z0-9]+-[A-Za-z0-9]+)\.json$/.exec(o.key)?.[1];
    if (!run || !isSwitchRun(run)) continue;
    const sw = await readSwitch(store, run);
    if (sw) {
      await finishSwitch(store, sw, settleMs);
      n++;
    }
  }
  return n;
}

async function finishSwitch(store: Store, sw: SwitchRecord, settleMs: number): Promise<void> {
  for (const h of sw.hours) {
    await store.put(recordKeyFor(dirOf(h.outputs[0]!.key), sw.run), JSON.stringify(h, null, 1), { contentType: "application/json" }).catch((e) => {
      if (!(e instanceof ObjectExistsError)) throw e;
    });
    switchFaultPoint("after-hour-record");
  }
  if (settleMs > 0) await Bun.sleep(settleMs);
  for (const h of sw.hours) {
    for (const inp of h.inputs) {
      await store.delete(inp.key);
      switchFaultPoint("after-delete");
    }
  }
  for (const h of sw.hours) {
    const dir = dirOf(h.outputs[0]!.key);
    if (h.rows === 0) {
      for (const o of h.outputs) await store.delete(o.key);
      await store.delete(recordKeyFor(dir, sw.run));
    }
    await dropSpentRecords(store, dir);
  }
  await store.delete(switchKeyFor(sw.run));
}

/** Records of earlier runs in `dir` whose outputs and inputs are all gone. */
async function dropSpentRecords(store: Store, dir: string): Promise<void> {
  const objects = await store.list(`${dir}/`);
  const present = new Set(objects.map((o) => o.key));
  for (const o of objects) {
    if (recordRun(o.key) === null) continue;
    const rec = await readRecord(store, o.key);
    if (rec && ![...rec.outputs, ...rec.inputs].some((f) => present.has(f.key))) await store.delete(o.key);
  }
}
