import { expect } from "bun:test";
import { join } from "node:path";
import { Frame, concatFrames } from "../../src/frame";
import { decodeParquet } from "../../src/parquet";
import type { TableSchema } from "../../src/schemas/types";
import type { Store } from "../../src/storage/store";
import { DbnReader } from "../../src/dbn/reader";
import { MBP10, TRADE, readFields, defLayout, type RecordValues } from "../../src/dbn/layouts";
import { RTYPE } from "../../src/dbn/constants";

export const DBN_FIXTURES = join(import.meta.dir, "..", "fixtures", "dbn");
export const fixture = (name: string) => join(DBN_FIXTURES, name);

/** Every record of a file as field values (test-only: one object per record). */
export async function readRecords(path: string): Promise<{ reader: DbnReader; records: RecordValues[] }> {
  const reader = new DbnReader(path);
  const records: RecordValues[] = [];
  await reader.run({
    onRaw: (rtype, bytes) => {
      const copy = bytes.slice();
      const lay = rtype === RTYPE.MBP_0 ? TRADE : rtype === RTYPE.MBP_10 ? MBP10 : rtype === RTYPE.INSTRUMENT_DEF ? defLayout(reader.metadata!.version) : null;
      records.push(lay ? readFields(lay, copy, 0) : { rtype, length: bytes.length });
    },
  });
  return { reader, records };
}

export async function readTable(store: Store, path: string, schema: TableSchema): Promise<Frame> {
  const frames: Frame[] = [];
  for (const o of await store.list(`bronze/${path}/`)) if (o.key.endsWith(".parquet")) frames.push(await decodeParquet(await store.get(o.key), { schema }));
  return frames.length ? concatFrames(frames) : Frame.empty(schema);
}

/** Column-by-column equality; `seq` modulo 2^32 (DBN's sequence is a u32). */
export function expectSameRows(a: Frame, b: Frame, skip: readonly string[]): void {
  expect(a.numRows).toBe(b.numRows);
  for (const c of a.columns) {
    if (skip.includes(c.name)) continue;
    const x = Array.from(c.values as ArrayLike<unknown>), y = Array.from(b.column(c.name).values as ArrayLike<unknown>);
    if (c.name === "seq") {
      expect(y.map((v) => BigInt.asUintN(32, v as bigint))).toEqual(x.map((v) => BigInt.asUintN(32, v as bigint)));
    } else expect({ column: c.name, values: y }).toEqual({ column: c.name, values: x });
  }
}

