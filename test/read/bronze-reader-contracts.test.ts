import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BronzeReader, RollContaminatedError } from "../../src/read/bronze-reader";
import type { Frame } from "../../src/frame";
import { ContractNotFoundError, ContractSelector } from "../../src/read/futures-contracts";
import { FUTURES_MBP10, FUTURES_TRADES, futKey, mbp, ns, tempLake, trade, type TempLake } from "./lake-fixture";

let lake: TempLake;
const times = (iso: string, n: number) => Array.from({ length: n }, (_, i) => ns(iso, BigInt(i)));

beforeAll(() => {
  lake = tempLake();
  // Multi-contract day (Wed, EST): ESH6 dominates RTH; ESM6 prints a little; one ESH6 print pre-market.
  const D = "2026-01-14";
  lake.write(FUTURES_TRADES, futKey("trades", D, "15"), [
    ...times("2026-01-14T15:00:00Z", 8).map((t) => trade(t, "ESH6")),
    ...times("2026-01-14T15:30:00Z", 2).map((t) => trade(t, "ESM6", { size: 50 })),
  ]);
  lake.write(FUTURES_TRADES, futKey("trades", D, "09"), [trade(ns("2026-01-14T09:00:00Z"), "ESH6")]);
  lake.write(FUTURES_MBP10, futKey("mbp10", D, "15"), [mbp(ns("2026-01-14T15:00:00Z"), "ESH6"), mbp(ns("2026-01-14T15:00:01Z"), "ESM6")]);

  // Roll day 2025-12-11 (Thu): ESZ5 and ESH6 trade equally in RTH → tie, calendar says ESH6.
  lake.write(FUTURES_TRADES, futKey("trades", "2025-12-11", "15"), [
    ...times("2025-12-11T15:00:00Z", 5).map((t) => trade(t, "ESZ5")),
    ...times("2025-12-11T15:10:00Z", 5).map((t) => trade(t, "ESH6")),
  ]);

  // Summer day 2026-07-15 (Wed, EDT; RTH 13:30–17:30 UTC). ESU6 trades at 13:40 UTC (09:40 ET),
  // ESZ6 at 18:00 UTC (14:00 ET): the reference's fixed 14:30–18:30 UTC window would pick ESZ6.
  lake.write(FUTURES_TRADES, futKey("trades", "2026-07-15", "13"), times("2026-07-15T13:40:00Z", 6).map((t) => trade(t, "ESU6")));
  lake.write(FUTURES_TRADES, futKey("trades", "2026-07-15", "18"), times("2026-07-15T18:00:00Z", 9).map((t) => trade(t, "ESZ6")));

  // The Mondays after the 2026 DST transitions. 2026-03-09 (EDT): RTH 13:30–17:30 UTC.
  // 2026-11-02 (EST): RTH 14:30–18:30 UTC. On each, one contract trades only in the hour
  // that the other offset would wrongly include.
  lake.write(FUTURES_TRADES, futKey("trades", "2026-03-09", "13"), times("2026-03-09T13:45:00Z", 3).map((t) => trade(t, "ESM6")));
  lake.write(FUTURES_TRADES, futKey("trades", "2026-03-09", "18"), times("2026-03-09T18:15:00Z", 7).map((t) => trade(t, "ESH6")));
  lake.write(FUTURES_TRADES, futKey("trades", "2026-11-02", "13"), times("2026-11-02T13:45:00Z", 7).map((t) => trade(t, "ESZ6")));
  lake.write(FUTURES_TRADES, futKey("trades", "2026-11-02", "18"), times("2026-11-02T18:15:00Z", 3).map((t) => trade(t, "ESH7")));

  // Predecessor-style legacy day: every row carries the bare root.
  lake.write(FUTURES_TRADES, futKey("trades", "2026-01-13", "15"), times("2026-01-13T15:00:00Z", 3).map((t) => trade(t, "ES")));

  // A weekday with trades only outside RTH (falls back to the whole day).
  lake.write(FUTURES_TRADES, futKey("trades", "2026-01-12", "03"), times("2026-01-12T03:00:00Z", 4).map((t) => trade(t, "ESH6")));

  // Saturday: whole UTC day counts.
  lake.write(FUTURES_TRADES, futKey("trades", "2026-01-17", "22"), times("2026-01-17T22:00:00Z", 2).map((t) => trade(t, "ESH6")));

  // MBP without any trades for the date.
  lake.write(FUTURES_MBP10, futKey("mbp10", "2026-01-16", "15"), [mbp(ns("2026-01-16T15:00:00Z"), "ESH6")]);
});
afterAll(() => lake[Symbol.dispose]());

const symbols = (f: Frame) => [...new Set(f.values<(string | null)[]>("symbol"))];

describe("front-month filtering uses the file's contract column", () => {
  test("a multi-contract day keeps only the dominant contract, all day long", async () => {
    const r = new BronzeReader(lake.root);
    const f = await r.readFuturesTrades("ES", { date: "2026-01-14" });
    expect(f.numRows).toBe(9); // 8 in RTH + the pre-market print
    expect(symbols(f)).toEqual(["ESH6"]);
    expect(r.lastRead.selections[0]).toMatchObject({ frontMonthSymbol: "ESH6", dominanceRatio: 0.8, runnerUpSymbol: "ESM6", totalContracts: 2 });
  });

  test("MBP-10 is filtered with the trades' selection", async () => {
    const f = await new BronzeReader(lake.root).readFuturesMbp10("ES", { date: "2026-01-14" });
    expect(symbols(f)).toEqual(["ESH6"]);
    expect(f.numRows).toBe(1);
  });

  test("specificContract overrides the selection; frontMonthOnly=false keeps every contract", async () => {
    const r = new BronzeReader(lake.root);
    expect(symbols(await r.readFuturesTrades("ES", { date: "2026-01-14", specificContract: "ESM6" }))).toEqual(["ESM6"]);
    const all = await r.readFuturesTrades("ES", { date: "2026-01-14", frontMonthOnly: false });
    expect(all.numRows).toBe(11);
    expect(symbols(all).sort()).toEqual(["ESH6", "ESM6"]);
  });

  test("a contract code as the symbol reads that contract, including a legacy symbol=<contract> directory", async () => {
    lake.write(FUTURES_TRADES, "bronze/futures/trades/symbol=ESM6/date=2026-01-14/hour=16/part-old.parquet", [
      trade(ns("2026-01-14T16:00:00Z"), "ESM6", { price: 1 }),
    ]);
    const r = new BronzeReader(lake.root);
    const f = await r.readFuturesTrades("ESM6", { date: "2026-01-14" });
    expect(symbols(f)).toEqual(["ESM6"]);
    expect(f.numRows).toBe(3);
    expect(r.lastRead.files.some((k) => k.includes("symbol=ESM6/"))).toBe(true);
  });

  test("the volume metric counts contracts traded instead of prints", async () => {
    const sel = await new ContractSelector(lake.root).selectFrontMonth("2026-01-14", "volume");
    expect(sel.frontMonthSymbol).toBe("ESM6"); // 2 × 50 lots beat 8 × 1
    expect(sel.contracts.map((c) => [c.symbol, c.volume])).toEqual([["ESM6", 100], ["ESH6", 8]]);
  });
});

describe("a contract roll day is never silently mixed", () => {
  test("the selector breaks the exact tie with the calendar and flags roll contamination", async () => {
    const sel = await new ContractSelector(lake.root).selectFrontMonth("2025-12-11");
    expect(sel).toMatchObject({ frontMonthSymbol: "ESH6", dominanceRatio: 0.5, rollContaminated: true, calendarSymbol: "ESH6", runnerUpSymbol: "ESZ5" });
    expect(sel.reason).toContain("tied with ESZ5");
  });

  test("reading the roll day refuses by default, with the way out in the message", async () => {
    const err = await new BronzeReader(lake.root).readFuturesTrades("ES", { date: "2025-12-11" }).catch((e) => e);
    expect(err).toBeInstanceOf(RollContaminatedError);
    expect(err.message).toContain("specificContract");
  });

  test("warn takes the front month and records a warning; allow takes it quietly", async () => {
    const r = new BronzeReader(lake.root);
    const warned = await r.readFuturesTrades("ES", { date: "2025-12-11", onRollContamination: "warn" });
    expect(symbols(warned)).toEqual(["ESH6"]);
    expect(r.lastRead.warnings).toHaveLength(1);
    const allowed = await r.readFuturesTrades("ES", { date: "2025-12-11", onRollContamination: "allow" });
    expect(allowed.numRows).toBe(5);
    expect(r.lastRead.warnings).toHaveLength(0);
  });
});

describe("ContractSelector windows and fallbacks", () => {
  test("summer (EDT) RTH is 13:30–17:30 UTC, not the reference's fixed 14:30–18:30", async () => {
    const sel = await new ContractSelector(lake.root).selectFrontMonth("2026-07-15");
    expect(sel.frontMonthSymbol).toBe("ESU6");
    expect(sel.dominanceRatio).toBe(1);
    expect(sel.totalContracts).toBe(1);
    expect(sel.window!.startNs).toBe(ns("2026-07-15T13:30:00Z"));
  });

  test.each([
    ["2026-03-09", "ESM6", "2026-03-09T13:30:00Z"],
    ["2026-11-02", "ESH7", "2026-11-02T14:30:00Z"],
  ])("the RTH window follows the DST transition on %s", async (date, front, start) => {
    const r = new BronzeReader(lake.root);
    const f = await r.readFuturesTrades("ES", { date });
    expect(symbols(f)).toEqual([front]);
    expect(r.lastRead.selections[0]!.window!.startNs).toBe(ns(start));
    expect(r.lastRead.selections[0]!.dominanceRatio).toBe(1);
  });

  test("legacy files with the bare root give root ES, dominance 1 and the legacy flag", async () => {
    const sel = await new ContractSelector(lake.root).selectFrontMonth("2026-01-13");
    expect(sel).toMatchObject({ frontMonthSymbol: "ES", dominanceRatio: 1, legacyRootSymbol: true, rollContaminated: false });
    expect((await new BronzeReader(lake.root).readFuturesTrades("ES", { date: "2026-01-13" })).numRows).toBe(3);
  });

  test("a weekday with no RTH prints falls back to the whole day and says so", async () => {
    const sel = await new ContractSelector(lake.root).selectFrontMonth("2026-01-12");
    expect(sel.frontMonthSymbol).toBe("ESH6");
    expect(sel.window).toBeNull();
    expect(sel.reason).toContain("no trades in the RTH window");
  });

  test("a weekend counts the whole UTC day", async () => {
    const sel = await new ContractSelector(lake.root).selectFrontMonth("2026-01-17");
    expect(sel.window).toBeNull();
    expect(sel.contracts[0]).toMatchObject({ symbol: "ESH6", trades: 2 });
  });

  test("no trades for the date is a clear error, for the selector and a front-month read", async () => {
    await expect(new ContractSelector(lake.root).selectFrontMonth("2026-01-16")).rejects.toBeInstanceOf(ContractNotFoundError);
    const err = await new BronzeReader(lake.root).readFuturesMbp10("ES", { date: "2026-01-16" }).catch((e) => e);
    expect(err).toBeInstanceOf(ContractNotFoundError);
    expect(err.message).toContain("2026-01-16");
    const f = await new BronzeReader(lake.root).readFuturesMbp10("ES", { date: "2026-01-16", specificContract: "ESH6" });
    expect(f.numRows).toBe(1);
  });

  test("selectBatch skips dates without data and keeps the rest", async () => {
    const m = await new ContractSelector(lake.root).selectBatch(["2026-01-14", "2026-01-16", "2026-07-15"]);
    expect([...m.keys()]).toEqual(["2026-01-14", "2026-07-15"]);
  });
});
