/**
 * Reshape a batch-shaped Bronze lake (one file per table-hour, as `lake simulate --to bronze`
 * writes it) into the shape live ingest leaves: one file per `flushSeconds` window of event
 * time per table-hour, named and tagged like ingest's flushes (consumer, stream-sequence
 * range, flush id), with stream sequences numbered per table in (ts_event_ns, seq) order.
 * Same rows, same order for every reader; only the files differ. `dates` limits it to those
 * dates (a test that reads one date need not reshape its warm-up days).
 */
import { decodeParquet, encodeParquet } from "../src/parquet";
import { BRONZE_TABLES } from "../src/schemas/bronze";
import type { Store } from "../src/storage/store";
import { partFileName } from "../src/ingest/common/commit";

export interface ReshapeResult {
  files: number;
  rows: number;
  bytes: number;
}

export async function reshapeToFlushes(store: Store, opts: { flushSeconds?: number; tables?: readonly string[]; dates?: readonly string[] } = {}): Promise<ReshapeResult> {
  const flushNs = BigInt(Math.round((opts.flushSeconds ?? 5) * 1e9));
  const out: ReshapeResult = { files: 0, rows: 0, bytes: 0 };
  for (const t of BRONZE_TABLES) {
    if (opts.tables && !opts.tables.includes(t.key)) continue;
    const consumer = t.durable;
    const ofDates = (key: string) => !opts.dates || opts.dates.some((d) => key.includes(`/date=${d}/`));
    const objs = (await store.list(`bronze/${t.schemaPath}/`)).filter((o) => o.key.endsWith(".parquet") && ofDates(o.key));
    let seq = 0;
    let flushId = 0;
    for (const o of objs) {
      const frame = await decodeParquet(await store.get(o.key), { schema: t.schema });
      const ts = frame.values<BigInt64Array>("ts_event_ns");
      const dir = o.key.slice(0, o.key.lastIndexOf("/"));
      let start = 0;
      while (start < frame.numRows) {
        const window = ts[start]! / flushNs;
        let end = start + 1;
        while (end < frame.numRows && ts[end]! / flushNs === window) end++;
        const part = frame.slice(start, end);
        const lo = seq + 1;
        const hi = seq + part.numRows;
        seq = hi;
        flushId++;
        const data = encodeParquet(part, {
          schema: t.schema,
          metadata: {
            "lake.consumer": consumer,
            "lake.subject": t.subject,
            "lake.stream_seq_min": String(lo),
            "lake.stream_seq_max": String(hi),
            "lake.writer": "wreshape",
            "lake.flush_id": String(flushId),
          },
        });
        await store.put(`${dir}/${partFileName("wreshape", flushId, lo, hi, "parquet")}`, data);
        out.files++;
        out.rows += part.numRows;
        out.bytes += data.byteLength;
        start = end;
      }
      await store.delete(o.key);
    }
  }
  return out;
}
