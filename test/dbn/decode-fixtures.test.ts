// Expected values: the DBN project's own decoder tests for these files (Databento's
// dbn / databento-cpp test suites assert the same numbers for test_data.*).
import { describe, expect, test } from "bun:test";
import { Mbp10Columns, TradeColumns } from "../../src/dbn/columns";
import { DbnReader } from "../../src/dbn/reader";
import { fixture, readRecords } from "./helpers";

const VERSIONS: [string, number][] = [["dbn", 2], ["v1.dbn.zst", 1], ["v2.dbn.zst", 2], ["v3.dbn.zst", 3]];

describe("DBN trades (GLBX.MDP3 ESH1)", () => {
  for (const [suffix, version] of VERSIONS) {
    test(`test_data.trades.${suffix}`, async () => {
      const { reader, records } = await readRecords(fixture(`test_data.trades.${suffix}`));
      const m = reader.metadata!;
      expect([m.version, m.dataset, m.schema, m.start, m.end, m.limit, m.stypeIn, m.stypeOut, m.tsOut]).toEqual([version, "GLBX.MDP3", 4, 1609160400000000000n, 1609200000000000000n, 2n, 1, 0, false]);
      expect(m.symbolCstrLen).toBe(version === 1 ? 22 : 71);
      expect(m.symbols).toEqual(["ESH1"]);
      expect(m.mappings).toEqual([{ rawSymbol: "ESH1", intervals: [{ startDate: 20201228, endDate: 20201229, symbol: "5482" }] }]);
      expect(records.length).toBe(2);
      const [a, b] = records;
      expect(a).toMatchObject({ rtype: 0, publisher_id: 1, instrument_id: 5482, ts_event: 1609160400098821953n, price: 3720250000000n, size: 5, action: "T", side: "A", flags: 129, depth: 0, ts_recv: 1609160400099150057n, ts_in_delta: 19251, sequence: 1170380 });
      expect(b).toMatchObject({ instrument_id: 5482, ts_event: 1609160400107665963n, price: 3720250000000n, size: 21, action: "T", side: "A", flags: 129, ts_recv: 1609160400108142648n, ts_in_delta: 20728, sequence: 1170414 });

      const cols = new TradeColumns(4);
      await new DbnReader(fixture(`test_data.trades.${suffix}`)).run({ trades: cols });
      expect(cols.n).toBe(2);
      expect([...cols.tsEvent.subarray(0, 2)]).toEqual([1609160400098821953n, 1609160400107665963n]);
      expect([...cols.tsRecv.subarray(0, 2)]).toEqual([1609160400099150057n, 1609160400108142648n]);
      expect([...cols.price.subarray(0, 2)]).toEqual([3720.25, 3720.25]);
      expect([...cols.size.subarray(0, 2)]).toEqual([5, 21]);
      expect([...cols.seq.subarray(0, 2)]).toEqual([1170380n, 1170414n]);
    });
  }
});

describe("DBN MBP-10 (GLBX.MDP3 ESH1)", () => {
  for (const [suffix, version] of VERSIONS) {
    test(`test_data.mbp-10.${suffix}`, async () => {
      const { reader, records } = await readRecords(fixture(`test_data.mbp-10.${suffix}`));
      expect([reader.metadata!.version, reader.metadata!.schema]).toEqual([version, 2]);
      const [a, b] = records;
      expect(a).toMatchObject({
        rtype: 10, publisher_id: 1, instrument_id: 5482, ts_event: 1609160400000429831n, price: 3722750000000n, size: 1, action: "C", side: "A", flags: 128, depth: 9,
        ts_recv: 1609160400000704060n, ts_in_delta: 22993, sequence: 1170352,
        bid_px_0: 3720250000000n, ask_px_0: 3720500000000n, bid_sz_0: 24, ask_sz_0: 10, bid_ct_0: 15, ask_ct_0: 8,
        bid_px_1: 3720000000000n, ask_px_1: 3720750000000n, bid_sz_1: 31, ask_sz_1: 34, bid_ct_1: 18, ask_ct_1: 24,
        bid_px_2: 3719750000000n, ask_px_2: 3721000000000n, bid_sz_2: 32, ask_sz_2: 39, bid_ct_2: 23, ask_ct_2: 25,
      });
      expect(b).toMatchObject({
        ts_event: 1609160400000435673n, price: 3720000000000n, size: 1, action: "C", side: "B", flags: 128, depth: 1, ts_recv: 1609160400000750544n, ts_in_delta: 20625, sequence: 1170356,
        bid_px_0: 3720250000000n, ask_px_0: 3720500000000n, bid_sz_0: 24, ask_sz_0: 10, bid_ct_0: 15, ask_ct_0: 8,
        bid_px_1: 3720000000000n, ask_px_1: 3720750000000n, bid_sz_1: 30, ask_sz_1: 34, bid_ct_1: 17, ask_ct_1: 24,
        bid_px_2: 3719750000000n, ask_px_2: 3721000000000n, bid_sz_2: 32, ask_sz_2: 39, bid_ct_2: 23, ask_ct_2: 25,
      });

      const cols = new Mbp10Columns(4);
      await new DbnReader(fixture(`test_data.mbp-10.${suffix}`)).run({ mbp10: cols });
      expect(cols.n).toBe(2);
      expect([cols.bidPx[0]![0], cols.bidSz[0]![0], cols.askPx[0]![0], cols.askSz[0]![0]]).toEqual([3720.25, 24, 3720.5, 10]);
      expect([cols.bidPx[2]![1], cols.bidSz[1]![1], cols.askPx[2]![1], cols.askSz[2]![1]]).toEqual([3719.75, 30, 3721, 39]);
      expect([...cols.seq.subarray(0, 2)]).toEqual([1170352n, 1170356n]);
      // every level decodes to the value of the raw fixed-point field ÷ 1e9
      for (let i = 0; i < 10; i++) {
        expect(cols.bidPx[i]![0]).toBe(Number(a![`bid_px_${i}`] as bigint) / 1e9);
        expect(cols.askSz[i]![1]).toBe(b![`ask_sz_${i}`] as number);
      }
    });
  }
});

describe("DBN instrument definitions (XNAS.ITCH MSFT), upgraded from v1/v2", () => {
  for (const [suffix, version] of VERSIONS) {
    test(`test_data.definition.${suffix}`, async () => {
      const { reader, records } = await readRecords(fixture(`test_data.definition.${suffix}`));
      const m = reader.metadata!;
      expect([m.version, m.dataset, m.schema, m.start, m.end, m.limit]).toEqual([version, "XNAS.ITCH", 9, 1633305600000000000n, 1641254400000000000n, 2n]);
      expect(m.symbols).toEqual(["MSFT"]);
      expect(m.mappings.length).toBe(1);
      expect(m.mappings[0]!.rawSymbol).toBe("MSFT");
      expect(m.mappings[0]!.intervals.length).toBe(62);
      expect(m.mappings[0]!.intervals[0]).toEqual({ startDate: 20211004, endDate: 20211005, symbol: "6819" });
      expect(records.map((r) => r.instrument_id)).toEqual([6819, 6830]);
      for (const r of records) {
        expect(r).toMatchObject({ rtype: 0x13, raw_symbol: "MSFT", exchange: "XNAS", instrument_class: "K", expiration: 0xffffffffffffffffn });
      }
      const defs: Record<string, unknown>[] = [];
      await new DbnReader(fixture(`test_data.definition.${suffix}`)).run({ onDefinition: (d) => defs.push(d) });
      expect(defs.map((d) => [d.instrument_id, d.raw_symbol, d.ts_recv])).toEqual([[6819, "MSFT", 1633331241618029519n], [6830, "MSFT", 1633417621703120931n]]);
    });
  }
});
