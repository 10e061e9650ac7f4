import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importDbnFiles } from "../../src/dbn/import";
import { writeKeyFor } from "../../src/dbn/staging";
import { FUTURES_MBP10, FUTURES_TRADES } from "../../src/schemas/bronze";
import { LocalStore } from "../../src/storage/local";
import { RTYPE } from "../../src/dbn/constants";
import { DbnFileWriter } from "../../src/dbn/encode";
import { SYMMAP_V2, TRADE } from "../../src/dbn/layouts";
import { fixture, readRecords, readTable } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "lake-dbn-import-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lake = () => new LocalStore(mkdtempSync(join(dir, "lake-")));

describe("lake import dbn on the real CME records", () => {
  test("trades → futures.trades with the contract code, aggressor, exchange and seq", async () => {
    const store = lake();
    const r = await importDbnFiles(store, [fixture("test_data.trades.v1.dbn.zst")]);
    expect(r.files[0]).toMatchObject({ status: "imported", records: 2, rows: { "futures.trades": 2 }, files: 1 });
    const keys = (await store.list("bronze/")).map((o) => o.key);
    expect(keys.length).toBe(1);
    expect(keys[0]).toStartWith("bronze/futures/trades/symbol=ES/date=2020-12-28/hour=13/part-20201228T130000000000Z-dbn");
    const f = await readTable(store, "futures/trades", FUTURES_TRADES);
    expect([...f.rows()]).toEqual([
      { ts_event_ns: 1609160400098821953n, ts_recv_ns: 1609160400099150057n, source: "direct_feed", symbol: "ESH1", price: 3720.25, size: 5, aggressor: -1, exchange: "CME", conditions: null, seq: 1170380n },
      { ts_event_ns: 1609160400107665963n, ts_recv_ns: 1609160400108142648n, source: "direct_feed", symbol: "ESH1", price: 3720.25, size: 21, aggressor: -1, exchange: "CME", conditions: null, seq: 1170414n },
    ]);
  });

  test("MBP-10 → futures.mbp10; an empty level (UNDEF_PRICE) becomes 0.0 / 0", async () => {
    const b = Uint8Array.from(readFileSync(fixture("test_data.mbp-10.dbn")));
    const rec = 353; // first record; level 10 bid at byte 48 + 9·32
    const lvl = rec + 48 + 9 * 32;
    new DataView(b.buffer).setBigInt64(lvl, 0x7fffffffffffffffn, true);
    new DataView(b.buffer).setUint32(lvl + 16, 0, true);
    const p = join(dir, "undef-level.dbn");
    writeFileSync(p, b);
    const store = lake();
    await importDbnFiles(store, [p]);
    const rows = [...(await readTable(store, "futures/mbp10", FUTURES_MBP10)).rows()];
    expect(rows.length).toBe(2);
    expect(rows[0]).toMatchObject({ symbol: "ESH1", bid_px_1: 3720.25, bid_sz_1: 24, ask_px_1: 3720.5, ask_sz_1: 10, bid_px_2: 3720, bid_sz_2: 31, ask_px_3: 3721, ask_sz_3: 39, bid_px_10: 0, bid_sz_10: 0, is_snapshot: false, seq: 1170352n });
    expect(rows[1]).toMatchObject({ bid_sz_2: 30, seq: 1170356n });
    expect(rows[1]!.bid_px_10).toBeGreaterThan(3700);
  });

  test("overlapping imports: identical (instrument, ts_event, sequence) records are written once", async () => {
    const store = lake();
    const a = await importDbnFiles(store, [fixture("test_data.trades.dbn")]);
    const b = await importDbnFiles(store, [fixture("test_data.trades.v3.dbn.zst"), fixture("test_data.trades.v2.dbn.zst")]);
    expect(a.files[0]!.rows).toEqual({ "futures.trades": 2 });
    expect(b.files.map((f) => [f.status, f.duplicatesDropped, f.files])).toEqual([["imported", 2, 0], ["imported", 2, 0]]);
    expect((await readTable(store, "futures/trades", FUTURES_TRADES)).numRows).toBe(2);
    // the same bytes again: a no-op from the commit record
    const c = await importDbnFiles(store, [fixture("test_data.trades.dbn")]);
    expect(c.files[0]!.status).toBe("already imported");
  });

  test("a file that breaks after good batches leaves nothing behind", async () => {
    const full = readFileSync(fixture("test_data.mbp-10.dbn"));
    const p = join(dir, "cut-after-first.dbn");
    // both records, then half of a third: with one-row batches the first batch is written before the break
    writeFileSync(p, Buffer.concat([full, full.subarray(353, 353 + 200)]));
    const store = lake();
    const written: string[] = [];
    const spy = Object.assign(Object.create(store) as LocalStore, { put: (k: string, d: Uint8Array | string, o?: object) => (k.endsWith(".parquet") && written.push(k), store.put(k, d, o)) });
    const err = await importDbnFiles(spy, [p], { batchRows: 1 }).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/truncated record: the stream ends 200 bytes into a 368-byte record at byte offset 1089$/);
    expect(written.length).toBeGreaterThan(0);
    expect(await store.list("bronze/")).toEqual([]);
    expect(await store.list("_import/")).toEqual([]);
  });

  test("nothing is visible in Bronze before the commit record; a move cut short is finished by the next run", async () => {
    const store = lake();
    const visibleAtCommit: string[][] = [];
    const spy = Object.assign(Object.create(store) as LocalStore, {
      put: async (k: string, d: Uint8Array | string, o?: object) => {
        const m = /^_import\/dbn\/([0-9a-f]{64})\.json$/.exec(k);
        if (m) visibleAtCommit.push((await store.list("bronze/")).map((x) => x.key).filter((x) => x.includes(`dbn${m[1]!.slice(0, 16)}`)));
        return store.put(k, d, o);
      },
    });
    const r = await importDbnFiles(spy, [fixture("test_data.mbp-10.dbn"), fixture("test_data.trades.dbn")], { batchRows: 1 });
    expect(visibleAtCommit).toEqual([[], []]); // when each commit record is written, none of that file's rows are visible yet
    const keys = (await store.list("bronze/")).map((x) => x.key);
    expect(keys.length).toBe(r.files[0]!.files + r.files[1]!.files);
    // a crash between the commit record and the move: put one file back into staging, re-create the intent
    const sha = r.files[1]!.sha256;
    const key = keys.find((k) => k.includes(`dbn${sha.slice(0, 16)}`))!;
    const bytes = await store.get(key);
    await store.put(writeKeyFor(store, sha, key), bytes);
    await store.delete(key);
    await store.put(`_import/dbn/intent-${sha}.json`, JSON.stringify({ version: 1, sha256: sha, file: "x", keys: [key], createdAt: "" }));
    const again = await importDbnFiles(store, [fixture("test_data.trades.dbn")]);
    expect(again.files[0]!.status).toBe("already imported");
    expect((await store.list("bronze/")).map((x) => x.key)).toEqual(keys);
    expect((await store.list("_import/dbn/")).map((x) => x.key).sort()).toEqual(r.files.map((f) => `_import/dbn/${f.sha256}.json`).sort());
  });

  test("one importer per local lake: a live lock holder is named, a dead one's lock is broken", async () => {
    const root = mkdtempSync(join(dir, "lake-"));
    const store = new LocalStore(root);
    mkdirSync(join(root, "_import/dbn"), { recursive: true });
    writeFileSync(join(root, "_import/dbn/import.lock"), `${process.pid}\n`);
    const err = await importDbnFiles(store, [fixture("test_data.trades.dbn")]).then(() => null, (e: Error) => e);
    expect(err?.message).toBe(`another lake import dbn (pid ${process.pid}) is importing into ${store.root}; wait for it to finish`);
    const dead = Bun.spawnSync(["true"]).pid; // exited: its pid holds nothing
    writeFileSync(join(root, "_import/dbn/import.lock"), `${dead}\n`);
    const r = await importDbnFiles(store, [fixture("test_data.trades.dbn")]);
    expect(r.files[0]!.status).toBe("imported");
    expect(existsSync(join(root, "_import/dbn/import.lock"))).toBe(false);
  });

  test("futures spreads and unmapped instruments are skipped and counted", async () => {
    const b = Uint8Array.from(readFileSync(fixture("test_data.trades.dbn")));
    new DataView(b.buffer).setUint32(353 + 4, 999, true); // first trade: an instrument id without a mapping
    const p = join(dir, "unmapped.dbn");
    writeFileSync(p, b);
    const r = await importDbnFiles(lake(), [p]);
    expect(r.files[0]!.rows).toEqual({ "futures.trades": 1 });
    expect(r.files[0]!.skipped).toEqual({ "unmapped instrument_id": 1 });
  });
});

describe("symbol mapping records (live-style DBN)", () => {
  test("instrument ids resolve through SymbolMappingMsg records when the metadata has no mappings", async () => {
    const { reader, records } = await readRecords(fixture("test_data.trades.v3.dbn.zst"));
    const p = join(dir, "live-style.dbn.zst");
    const w = new DbnFileWriter(p, { ...reader.metadata!, mappings: [], symbols: [] });
    const day = 1609113600000000000n; // 2020-12-28
    w.writeRecord(SYMMAP_V2, RTYPE.SYMBOL_MAPPING, { instrument_id: 5482, ts_event: day, stype_in: 1, stype_in_symbol: "ESH1", stype_out: 0, stype_out_symbol: "ESH1", start_ts: day, end_ts: day + 86_400_000_000_000n });
    for (const r of records) w.writeRecord(TRADE, RTYPE.MBP_0, r);
    await w.close();
    const store = lake();
    const res = await importDbnFiles(store, [p]);
    expect(res.files[0]!.rows).toEqual({ "futures.trades": 2 });
    expect(res.files[0]!.skipped).toEqual({});
    expect((await readTable(store, "futures/trades", FUTURES_TRADES)).values<string[]>("symbol")).toEqual(["ESH1", "ESH1"]);
  });
});
