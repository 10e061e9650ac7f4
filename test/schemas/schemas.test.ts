import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BRONZE_TABLES, FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES, futuresRoot } from "../../src/schemas/bronze";
import { LEVEL_SIGNALS } from "../../src/schemas/gold";
import { FEATURE_COLUMNS, IDENTITY_COLUMNS, LABEL_COLUMNS, SILVER_COLUMN_SPECS, SILVER_FEATURES, schemaSignature } from "../../src/schemas/silver";
import { arrowTypeName } from "../../src/schemas/types";
import { FIXTURE_DAY_A } from "../../testkit/fixtures";

interface ReferenceColumn {
  name: string;
  arrow_type: string;
  null_count: number;
}

test("silver-columns.json: unique names, each with a group, a stage and a description", () => {
  const names = SILVER_COLUMN_SPECS.map((c) => c.name);
  expect(new Set(names).size).toBe(names.length);
  for (const c of SILVER_COLUMN_SPECS) {
    expect(c.name).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(c.group.length).toBeGreaterThan(0);
    expect(c.stage).toMatch(/^[A-Z][A-Za-z]+$/);
    expect(c.description.length).toBeGreaterThan(0);
  }
  for (const c of SILVER_COLUMN_SPECS.filter((c) => c.group === "identity")) expect(c.nullable).toBe(false);
});

test("the Silver schema is the one of the predecessor's golden-day output: names, order, Arrow types, nullability", () => {
  const summary = JSON.parse(readFileSync(join(FIXTURE_DAY_A, "expected/summary.json"), "utf8")) as { columns: ReferenceColumn[] };
  const reference = summary.columns.map((c) => `${c.name}:${c.arrow_type}`);
  expect(SILVER_FEATURES.columns.map((c) => `${c.name}:${arrowTypeName(c.type)}`)).toEqual(reference);
  // a column the reference left null somewhere must be declared nullable
  const byName = new Map(SILVER_FEATURES.columns.map((c) => [c.name, c]));
  for (const c of summary.columns) if (c.null_count > 0) expect([c.name, byName.get(c.name)!.nullable]).toEqual([c.name, true]);
});

test("Silver has 182 columns: 10 identity + 108 features + 64 labels, in spec order", () => {
  expect(SILVER_FEATURES.columns.length).toBe(182);
  expect(IDENTITY_COLUMNS.length).toBe(10);
  expect(FEATURE_COLUMNS.length).toBe(108);
  expect(LABEL_COLUMNS.length).toBe(64);
  expect(SILVER_FEATURES.columns.map((c) => c.name).slice(0, 3)).toEqual(["event_id", "ts_ns", "timestamp"]);
  expect(schemaSignature(SILVER_FEATURES.columns).startsWith("event_id:string,ts_ns:int64,timestamp:timestamp[ns],")).toBe(true);
});

test("Bronze schemas match contracts §2.2–2.4 column counts and order", () => {
  expect(FUTURES_TRADES.columns.length).toBe(10);
  expect(FUTURES_MBP10.columns.length).toBe(46);
  expect(FUTURES_MBP10.columns[4]!.name).toBe("bid_px_1");
  expect(FUTURES_MBP10.columns[24]!.name).toBe("ask_px_1");
  expect(FUTURES_MBP10.columns.at(-2)!.name).toBe("is_snapshot");
  expect(OPTION_TRADES.columns.length).toBe(15);
  expect(LEVEL_SIGNALS.columns.length).toBe(38);
  expect(BRONZE_TABLES.map((t) => t.durable)).toEqual([
    "bronze_writer_market_futures_trades",
    "bronze_writer_market_futures_mbp10",
    "bronze_writer_market_options_trades",
  ]);
});

test("futures partition key is the product root (contracts §2.7)", () => {
  expect(futuresRoot("ESH6")).toBe("ES");
  expect(futuresRoot("ESZ25")).toBe("ES");
  expect(futuresRoot("ES")).toBe("ES");
  expect(futuresRoot("ES_12345")).toBeNull();
  expect(futuresRoot("NQH6")).toBeNull();
});
