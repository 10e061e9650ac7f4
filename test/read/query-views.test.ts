import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DuckSession } from "../../src/read/duck";
import { LakeFiles } from "../../src/read/lake-files";
import { LAKE_VIEWS, registerViews, viewsMentioned } from "../../src/read/views";
import { FUTURES_TRADES, LEVEL_SIGNALS, futKey, ns, signal, tempLake, trade, type TempLake } from "./lake-fixture";

let lake: TempLake;

beforeAll(() => {
  lake = tempLake();
  lake.copyFixture("bronze/futures/trades/symbol=ES/date=2026-01-13/hour=15");
  lake.write(FUTURES_TRADES, futKey("trades", "2026-01-14", "15"), [trade(ns("2026-01-14T15:00:00Z"), "ESH6", { conditions: new Int16Array([3]) })]);
  lake.write(FUTURES_TRADES, futKey("trades", "2026-01-14", "23"), [trade(ns("2026-01-14T23:59:59Z"), "ESM6")]);
  lake.write(LEVEL_SIGNALS, "gold/levels/signals/underlying=ES/date=2026-01-14/hour=15/part-a.parquet", [signal(ns("2026-01-14T15:00:00Z"), "PM_HIGH")]);
});
afterAll(() => lake[Symbol.dispose]());

async function withViews<T>(sql: string, fn: (s: DuckSession) => Promise<T>): Promise<T> {
  using s = await DuckSession.open();
  await registerViews(s, new LakeFiles(lake.root), sql);
  return await fn(s);
}

describe("lake query views", () => {
  test("only the views a query mentions are built", () => {
    expect(viewsMentioned("select * from bronze_futures_trades join gold_level_signals using (ts_event_ns)").map((v) => v.name)).toEqual([
      "bronze_futures_trades",
      "gold_level_signals",
    ]);
    expect(viewsMentioned("select 1")).toEqual([]);
    expect(LAKE_VIEWS.map((v) => v.name)).toContain("silver_features");
  });

  test("a Bronze view mixes predecessor and lake files with declared types, file symbols and typed partitions", async () => {
    const sql = `SELECT date, hour, symbol, typeof(size) AS size_t, typeof(conditions) AS cond_t, count(*) AS n
                 FROM bronze_futures_trades GROUP BY ALL ORDER BY date, hour, symbol`;
    const f = await withViews(sql, (s) => s.query(sql));
    const rows = f.toRows();
    expect(rows.every((r) => r.size_t === "INTEGER" && r.cond_t === "SMALLINT[]")).toBe(true);
    expect(rows.filter((r) => r.date === 20467).map((r) => [r.hour, r.symbol, r.n])).toEqual([[15, "ESH6", 1n], [23, "ESM6", 1n]]);
    const old = rows.filter((r) => r.date === 20466);
    expect(old.map((r) => r.hour)).toEqual(old.map(() => 15));
    expect(old.some((r) => r.symbol === "ES")).toBe(false);
  });

  test("a filter on the date partition prunes the other dates' files", async () => {
    const sql = `SELECT count(*) FROM bronze_futures_trades WHERE date = DATE '2026-01-14'`;
    const plan = await withViews(sql, (s) => s.query(`EXPLAIN ANALYZE ${sql}`));
    const text = plan.values<(string | null)[]>("explain_value").join("\n");
    const reads = [...text.matchAll(/Total Files Read:\s*(\d+)/g)].map((m) => Number(m[1]));
    expect(reads).toEqual([2]);
    const all = `SELECT count(*) FROM bronze_futures_trades`;
    const planAll = await withViews(all, (s) => s.query(`EXPLAIN ANALYZE ${all}`));
    const n = [...planAll.values<(string | null)[]>("explain_value").join("\n").matchAll(/Total Files Read:\s*(\d+)/g)].map((m) => Number(m[1]));
    expect(n.reduce((a, b) => a + b, 0)).toBe(3);
  });

  test("missing tiers are empty views with their columns", async () => {
    const sql = `SELECT * FROM silver_features, bronze_option_trades, gold_training LIMIT 0`;
    const f = await withViews(sql, (s) => s.query(`SELECT * FROM bronze_option_trades`));
    expect(f.numRows).toBe(0);
    expect(f.columns.map((c) => [c.name, c.type]).at(-2)).toEqual(["date", "date32"]);
    expect(f.columns.at(-1)).toMatchObject({ name: "hour", type: "int32" });
    const g = await withViews(sql, (s) => s.query(`SELECT version, dataset FROM silver_features, gold_training`));
    expect(g.columns.map((c) => c.type)).toEqual(["utf8", "utf8"]);
  });
});
