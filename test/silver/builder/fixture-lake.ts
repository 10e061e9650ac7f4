/** Test helpers: a writable copy of the es-day-a fixture lake and its expected Silver frame. */
import { chmodSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeParquet } from "../../../src/parquet";
import type { Frame } from "../../../src/frame";
import type { PipelineFn } from "../../../src/silver/build-date";
import { FIXTURE_DAY_A } from "../../../testkit/fixtures";

export const FIXTURE = FIXTURE_DAY_A;
export const FIXTURE_DATE = "2026-01-14";

function makeWritable(p: string): void {
  chmodSync(p, statSync(p).isDirectory() ? 0o755 : 0o644);
  if (statSync(p).isDirectory()) for (const e of readdirSync(p)) makeWritable(join(p, e));
}

export interface TempLake extends Disposable {
  root: string;
}

/** A temp lake root; with `bronze`, holding a writable copy of the fixture's Bronze tree. */
export function tempLake(opts: { bronze?: boolean; bookDates?: string[] } = {}): TempLake {
  const root = mkdtempSync(join(tmpdir(), "lake-silver-test-"));
  if (opts.bronze) {
    cpSync(join(FIXTURE, "bronze"), join(root, "bronze"), { recursive: true });
    makeWritable(join(root, "bronze"));
    // warm-up days have no book in the fixture; give them one so they count as buildable dates
    const mbp = join(root, "bronze/futures/mbp10/symbol=ES");
    for (const d of opts.bookDates ?? []) cpSync(join(mbp, `date=${FIXTURE_DATE}`), join(mbp, `date=${d}`), { recursive: true });
  }
  return { root, [Symbol.dispose]: () => rmSync(root, { recursive: true, force: true }) };
}

let cached: Frame | undefined;
export async function expectedFrame(): Promise<Frame> {
  cached ??= await decodeParquet(new Uint8Array(await Bun.file(join(FIXTURE, "expected/silver_features.parquet")).arrayBuffer()));
  return cached;
}

/** A stand-in pipeline: the fixture's reference output for its date, `rowsFor(date)` rows of it otherwise. */
export async function fixturePipeline(rowsFor: (date: string) => number | Error = (d) => (d === FIXTURE_DATE ? 107 : 0)): Promise<PipelineFn> {
  const f = await expectedFrame();
  return async ({ date }) => {
    const n = rowsFor(date);
    if (n instanceof Error) throw n;
    const part = f.slice(0, Math.min(n, f.numRows));
    // move the rows to `date` (ids, times and the date column), as the real pipeline would produce them
    const shift = BigInt(Date.parse(date + "T00:00:00Z") - Date.parse(FIXTURE_DATE + "T00:00:00Z")) * 1_000_000n;
    const cols = part.columns.map((c) => {
      if (c.name === "date") return { ...c, values: new Array(part.numRows).fill(date) };
      if (c.name === "event_id" && date !== FIXTURE_DATE) return { ...c, values: (c.values as string[]).map((id) => `${date}:${id}`) };
      if (c.name === "ts_ns" || c.name === "timestamp") return { ...c, values: (c.values as BigInt64Array).map((t) => t + shift) };
      return c;
    });
    return { frame: new (part.constructor as typeof Frame)(cols, part.numRows) };
  };
}
