/**
 * Foundation "done when": every schema round-trips through the codec AND a storage backend —
 * local filesystem and S3 (real s3rver) — and reads back identically in three independent
 * readers: our decodeParquet (hyparquet, via a ranged AsyncBuffer over the Store for S3),
 * DuckDB and parquet-wasm.
 */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeParquet, encodeParquet } from "../../src/parquet";
import { FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES } from "../../src/schemas/bronze";
import { LEVEL_SIGNALS } from "../../src/schemas/gold";
import { SILVER_FEATURES } from "../../src/schemas/silver";
import { type Store } from "../../src/storage";
import { storeFixture } from "./helpers/store-fixture";
import { edgeFrame } from "../parquet/helpers/edge-frames";
import { diffCells, duckCells, frameCells, wasmCells } from "../parquet/helpers/readers";

const fx = storeFixture("lake-pq-store-");

/** hyparquet AsyncBuffer over Store.getRange: the S3 read path readers use for ranged reads. */
async function storeBuffer(store: Store, key: string) {
  const size = (await store.stat(key))!.size;
  return { byteLength: size, slice: async (start: number, end?: number) => (await store.getRange(key, start, end ?? size)).slice().buffer };
}

const schemas = [FUTURES_TRADES, FUTURES_MBP10, OPTION_TRADES, LEVEL_SIGNALS, SILVER_FEATURES];
const backends = fx.backends;

for (const [backend, make] of backends) {
  describe(`${backend} backend`, () => {
    for (const schema of schemas) {
      test(`${schema.name}: stored file reads back equal in hyparquet, DuckDB and parquet-wasm`, async () => {
        const store = make();
        const frame = edgeFrame(schema, 300, 7);
        const bytes = encodeParquet(frame, { schema, sort: false });
        const key = `t/${schema.name}/part-0.parquet`;
        await store.put(key, bytes);

        const expected = frameCells(frame);
        const ours = frameCells(await decodeParquet(await storeBuffer(store, key)));
        expect(diffCells(ours, expected, "hyparquet")).toBeNull();

        const fetched = await store.get(key);
        expect(fetched).toEqual(bytes);
        const local = join(fx.tmp, `${backend}-${schema.name}-${crypto.randomUUID()}.parquet`);
        writeFileSync(local, fetched);
        expect(diffCells(await duckCells(local), expected, "duckdb")).toBeNull();
        expect(diffCells(wasmCells(fetched).cells, expected, "parquet-wasm")).toBeNull();
      });
    }
  });
}
