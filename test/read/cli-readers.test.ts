import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readParquetInfo } from "../../src/parquet";
import { DuckSession } from "../../src/read/duck";
import { GOLD_TRAINING_PIT } from "../../src/schemas/silver";
import { FUTURES_TRADES, LEVEL_SIGNALS, futKey, ns, signal, tempLake, trade, type TempLake } from "./lake-fixture";

const MAIN = resolve(import.meta.dir, "../../src/main.ts");
const D = "2026-01-14";
let lake: TempLake;

async function lake_(args: string[], env: Record<string, string> = {}) {
  const p = Bun.spawn(["bun", "run", MAIN, ...args], {
    env: { ...process.env, DATA_ROOT: lake.root, LAKE_LOG_LEVEL: "warn", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  lake = tempLake();
  lake.copyFixtureHour(D, "15");
  lake.write(FUTURES_TRADES, futKey("trades", D, "15", "part-lake.parquet"), [
    trade(ns("2026-01-14T15:30:00Z"), "ESM6", { seq: 1n }),
    trade(ns("2026-01-14T15:30:01Z"), "ESM6", { seq: 2n }),
  ]);
  // Roll day: two contracts, equal prints.
  lake.write(FUTURES_TRADES, futKey("trades", "2025-12-11", "15"), [
    trade(ns("2025-12-11T15:00:00Z"), "ESZ5"),
    trade(ns("2025-12-11T15:00:01Z"), "ESH6"),
  ]);
  lake.write(LEVEL_SIGNALS, `gold/levels/signals/underlying=ES/date=${D}/hour=15/part-a.parquet`, [
    signal(ns("2026-01-14T15:00:00Z"), "PM_HIGH", { note: "a, \"quoted\" note" }),
    signal(ns("2026-01-14T15:00:00Z"), "OR_LOW"),
  ]);
  // Two Silver versions with a few identity columns only (the view fills the rest with nulls).
  using s = await DuckSession.open();
  for (const v of ["v1.0_base", "v2.0_more"]) {
    const path = join(lake.root, `silver/features/${v}/date=${D}/features_${D}.parquet`);
    (await import("node:fs")).mkdirSync(join(path, ".."), { recursive: true });
    await s.exec(`COPY (SELECT 'e' || i AS event_id, i::BIGINT AS ts_ns, '${D}' AS date FROM range(${v === "v1.0_base" ? 3 : 5}) t(i)) TO '${path}' (FORMAT parquet)`);
  }
});
afterAll(() => lake[Symbol.dispose]());

describe("lake bronze", () => {
  test("dates lists the dates that hold data", async () => {
    const r = await lake_(["bronze", "dates", "futures-trades"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual(["2025-12-11", D]);
    const j = await lake_(["bronze", "dates", "option-trades", "--json"]);
    expect(JSON.parse(j.stdout)).toEqual([D]);
  });

  test("read prints an aligned table with the row count and elapsed time", async () => {
    const r = await lake_(["bronze", "read", "futures-trades", "--date", D, "--limit", "3"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^\s*ts_event_ns\s+ts_recv_ns\s+source\s+symbol\s+price\s+size/);
    expect(lines).toHaveLength(2 + 3 + 1);
    expect(lines.at(-1)).toMatch(/^\(3 rows, \d+\.\d{3} s\)$/);
    const widths = new Set(lines.slice(0, 5).map((l) => l.length));
    expect(widths.size).toBe(1); // aligned
    expect(lines.slice(2, 5).every((l) => l.includes("ESH6"))).toBe(true);
  });

  test("read --contract picks that contract; csv has a header and exact ns", async () => {
    const r = await lake_(["bronze", "read", "futures-trades", "--date", D, "--contract", "ESM6", "--format", "csv"]);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split("\n");
    expect(rows[0]).toBe(FUTURES_TRADES.columns.map((c) => c.name).join(","));
    const mine = rows.slice(1).filter((l) => l.includes(",test,"));
    expect(mine.map((l) => l.split(",")[0])).toEqual([String(ns("2026-01-14T15:30:00Z")), String(ns("2026-01-14T15:30:01Z"))]);
    expect(rows.slice(1).every((l) => l.split(",")[3] === "ESM6")).toBe(true);
  });

  test("read --start/--end accept ISO times; json is an array of row objects", async () => {
    const r = await lake_(["bronze", "read", "futures-trades", "--date", D, "--all-contracts", "--start", "2026-01-14T15:30:00Z", "--end", "2026-01-14T15:30:01Z", "--format", "json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows.filter((x) => x.source === "test").map((x) => x.symbol)).toEqual(["ESM6", "ESM6"]);
    expect(r.stdout).toContain(`"ts_event_ns":${ns("2026-01-14T15:30:01Z")}`); // exact digits, not rounded
  });

  test("read --format parquet --out writes a lake Parquet file", async () => {
    const out = join(lake.root, "out-mbp.parquet");
    const r = await lake_(["bronze", "read", "futures-mbp10", "--date", D, "--format", "parquet", "--out", out]);
    expect(r.code).toBe(0);
    const info = await readParquetInfo(new Uint8Array(readFileSync(out)));
    expect(info.numRows).toBeGreaterThan(1000);
    expect(info.columns.map((c) => c.name).slice(0, 5)).toEqual(["ts_event_ns", "ts_recv_ns", "source", "symbol", "bid_px_1"]);
  });

  test("a roll day refuses (exit 1) until --contract or --roll says what to do", async () => {
    const r = await lake_(["bronze", "read", "futures-trades", "--date", "2025-12-11"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--contract");
    const w = await lake_(["bronze", "read", "futures-trades", "--date", "2025-12-11", "--roll", "allow", "--format", "csv"]);
    expect(w.code).toBe(0);
    expect(w.stdout.trim().split("\n").slice(1).map((l) => l.split(",")[3])).toEqual(["ESH6"]);
  });

  test("bad arguments exit 2 with the reason", async () => {
    const r = await lake_(["bronze", "read", "futures-trades", "--date", "2026-13-01"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("2026-13-01");
    const s = await lake_(["bronze", "read", "futures-quotes", "--date", D]);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain("unknown schema");
  });
});

describe("lake contracts", () => {
  test("shows the decision, the reason and per-contract volumes", async () => {
    const r = await lake_(["contracts", "--date", D]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/front month\s+ESH6/);
    expect(r.stdout).toMatch(/^ESM6\s+\d+\s+\d+\s+[\d.]+%$/m);
    const j = JSON.parse((await lake_(["contracts", "--date", "2025-12-11", "--json"])).stdout);
    expect(j).toMatchObject({ front_month_symbol: "ESH6", roll_contaminated: true, calendar_symbol: "ESH6" });
  });
});

describe("lake query", () => {
  test("SQL over the Bronze views sees the file's contract codes and typed partitions", async () => {
    const r = await lake_(["query", "SELECT symbol, date, hour, count(*) AS n FROM bronze_futures_trades WHERE date = DATE '2026-01-14' GROUP BY ALL ORDER BY symbol", "--format", "json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows.map((x: { symbol: string }) => x.symbol)).toEqual(["ESH6", "ESM6"]);
    expect(rows[0]).toMatchObject({ date: D, hour: 15 });
  });

  test("silver_features has every version with a version column", async () => {
    const r = await lake_(["query", "SELECT version, count(*) AS n, count(spot) AS spots FROM silver_features GROUP BY 1 ORDER BY 1", "--format", "csv"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual(["version,n,spots", "v1.0_base,3,0", "v2.0_more,5,0"]);
  });

  test("a tier with no files is an empty view with the right columns", async () => {
    const r = await lake_(["query", "SELECT * FROM gold_training", "--format", "csv"]);
    expect(r.code).toBe(0);
    // every known training column: the 182 and the ones the point-in-time fixes add
    expect(r.stdout.trim().split(",")).toEqual([...GOLD_TRAINING_PIT.columns.map((c) => c.name), "dataset"]);
    const t = await lake_(["query", "SELECT count(*) AS n FROM gold_training"]);
    expect(t.stdout).toMatch(/\(1 row, /);
  });

  test("gold signals are queryable, and a SQL error exits 1 with DuckDB's message", async () => {
    const r = await lake_(["query", "SELECT level_id, note FROM gold_level_signals ORDER BY level_id", "--format", "csv"]);
    expect(r.stdout.trim().split("\n")).toEqual(["level_id,note", "OR_LOW,", 'PM_HIGH,"a, ""quoted"" note"']);
    const e = await lake_(["query", "SELECT nope FROM bronze_option_trades"]);
    expect(e.code).toBe(1);
    expect(e.stderr).toContain("nope");
  });
});

describe("lake gold signals", () => {
  test("reads a date's signals", async () => {
    const r = await lake_(["gold", "signals", "--date", D, "--format", "csv"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]!.split(",").slice(0, 3)).toEqual(["ts_event_ns", "underlying", "spot"]);
    expect(lines).toHaveLength(3);
  });

  test("--columns reads those columns plus the ones the scan orders by", async () => {
    const r = await lake_(["gold", "signals", "--date", D, "--columns", "spot", "--format", "csv"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual(["ts_event_ns,spot,level_id", `${ns("2026-01-14T15:00:00Z")},7001.5,OR_LOW`, `${ns("2026-01-14T15:00:00Z")},7001.5,PM_HIGH`]);
  });
});
