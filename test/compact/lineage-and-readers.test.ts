/**
 * Compaction changes files, never rows: over the predecessor's fixture day reshaped into
 * flush-sized files (and predecessor files sharing an hour with lake-written ones), every
 * reader returns the same rows in the same order after `lake compact`, a Silver version
 * built before stays fresh (lineage follows the original files through compaction) and
 * `verify` rebuilds it identically; a late file still makes it stale, also once compacted.
 */
import { describe, expect, test } from "bun:test";
import { compactLake } from "../../src/compact/run";
import type { Frame } from "../../src/frame";
import { frameFromRows } from "../../src/frame";
import { encodeParquet, readParquetInfo } from "../../src/parquet";
import { BronzeReader } from "../../src/read/bronze-reader";
import { LakeFiles } from "../../src/read/lake-files";
import { FUTURES_TRADES } from "../../src/schemas/bronze";
import { esPipelineManifest } from "../../src/silver/baselines";
import { SilverFeatureBuilder } from "../../src/silver/builder";
import { versionStatus, verifyVersion } from "../../src/silver/status";
import { localStore } from "../../src/storage";
import { reshapeToFlushes } from "../../testkit/realtime-lake";
import { FIXTURE_DATE, tempLake } from "../silver/builder/fixture-lake";
import { ns, trade } from "../read/lake-fixture";
import { rowMultiset } from "./helpers";

const D = FIXTURE_DATE;
const HOUR15 = `bronze/futures/trades/symbol=ES/date=${D}/hour=15`;

async function readAll(root: string): Promise<Frame[]> {
  const r = new BronzeReader(root);
  return [
    await r.readFuturesTrades("ES", { date: D, frontMonthOnly: false }),
    await r.readFuturesMbp10("ES", { date: D, frontMonthOnly: false }),
    await r.readOptionTrades("ES", { date: D }),
  ];
}

function expectSameFrames(a: Frame[], b: Frame[]): void {
  expect(b.map((f) => f.numRows)).toEqual(a.map((f) => f.numRows));
  for (const [i, f] of a.entries()) {
    for (const c of f.columns) expect({ t: i, c: c.name, v: b[i]!.column(c.name).values }).toEqual({ t: i, c: c.name, v: c.values });
  }
}

describe("compaction over predecessor and lake-written files", () => {
  test("readers identical, predecessor + lake files of one hour merged, Silver fresh and verified identical", async () => {
    using lake = tempLake({ bronze: true });
    const store = localStore(lake.root);
    // MBP-10 and options become flush-sized lake files; futures trades stay predecessor files,
    // and one trades hour also receives lake-written flushes beside its predecessor file.
    const shaped = await reshapeToFlushes(store, { flushSeconds: 120, tables: ["futures.mbp10", "options.trades"] });
    expect(shaped.files).toBeGreaterThan(100);
    for (let k = 0; k < 3; k++) {
      const rows = [0, 1, 2].map((j) => trade(ns(`${D}T15:4${k}:0${j}Z`), "ESH6", { price: 7000 + k + j / 4, size: 1 + j }));
      const data = encodeParquet(frameFromRows(FUTURES_TRADES.columns, rows), {
        schema: FUTURES_TRADES,
        metadata: { "lake.consumer": "bronze_writer_market_futures_trades", "lake.stream_seq_min": String(10 * k + 1), "lake.stream_seq_max": String(10 * k + 3) },
      });
      await store.put(`${HOUR15}/part-lake-${k}.parquet`, data);
    }
    const before = await readAll(lake.root);
    const multiset = await rowMultiset(lake.root);

    const b = new SilverFeatureBuilder(lake.root);
    const built = await b.buildFeatureSet(esPipelineManifest(), [D]);
    expect(built.status).toBe("success");
    // the warm-up days hold trades too, so they are missing dates; what matters here is no changed input
    expect(await versionStatus(b, "es_pipeline")).toMatchObject({ state: "incomplete", changed_dates: [] });

    const report = await compactLake(store, { graceMs: 0 });
    expect(report.hours.length).toBeGreaterThan(10);
    expect(report.filesAfter).toBeLessThan(report.filesBefore);

    // the mixed hour is now one lake file holding the predecessor rows and the lake rows
    const live = await new LakeFiles(lake.root).listParquet(`${HOUR15}/`);
    expect(live.length).toBe(1);
    expect(live[0]!.key).toMatch(/\/compact-[^/]+\.parquet$/);
    const info = await readParquetInfo(await store.get(live[0]!.key));
    expect(JSON.parse(info.kv["lake.seq_ranges"]!)).toEqual({ bronze_writer_market_futures_trades: [[1, 3], [11, 13], [21, 23]] });
    const record = JSON.parse(new TextDecoder().decode(await store.get(live[0]!.key.replace(/-0\.parquet$/, ".json"))));
    expect(record.inputsWithoutSeq).toBe(1);
    expect(record.inputs.map((i: { key: string }) => i.key.slice(HOUR15.length + 1)).sort()).toEqual(["part-000.parquet", "part-lake-0.parquet", "part-lake-1.parquet", "part-lake-2.parquet"]);

    expectSameFrames(before, await readAll(lake.root));
    expect(await rowMultiset(lake.root)).toEqual(multiset);

    const st = await versionStatus(b, "es_pipeline");
    expect({ state: st.state, changed: st.changed_dates, detail: st.detail.split("; ")[0] }).toEqual({ state: "incomplete", changed: [], detail: "inputs unchanged for 1 date(s)" });
    const v = await verifyVersion(b, "es_pipeline");
    expect(v.identical).toBe(true);
    expect(v.dates[0]!.detail).toBe("byte-identical");

    // a real change of rows still makes it stale
    const extra = encodeParquet(frameFromRows(FUTURES_TRADES.columns, [trade(ns(`${D}T15:59:00Z`), "ESH6")]), { schema: FUTURES_TRADES });
    await store.put(`${HOUR15}/part-late.parquet`, extra);
    expect((await versionStatus(b, "es_pipeline")).state).toBe("stale");
    // ... and compacting again (the old output becomes an input) keeps naming the original files
    await compactLake(store, { graceMs: 0 });
    expect((await new LakeFiles(lake.root).listParquet(`${HOUR15}/`)).length).toBe(1);
    const again = await versionStatus(b, "es_pipeline");
    expect({ state: again.state, changed: again.dates[0]!.changed }).toEqual({ state: "stale", changed: [`added ${HOUR15}/part-late.parquet`] });
  });
});

