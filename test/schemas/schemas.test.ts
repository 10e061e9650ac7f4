import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BRONZE_TABLES, FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES, futuresRoot } from "../../src/schemas/bronze";
import { LEVEL_SIGNALS } from "../../src/schemas/gold";
import { FEATURE_COLUMNS, IDENTITY_COLUMNS, LABEL_COLUMNS, SILVER_FEATURES, schemaSignature } from "../../src/schemas/silver";
import { specPath } from "../helpers/shared";

const SPEC = specPath("silver-columns.json");

test("the embedded silver-columns.json is the spec's, byte for byte", () => {
  expect(readFileSync(join(import.meta.dir, "../../src/schemas/silver-columns.json"), "utf8")).toBe(readFileSync(SPEC, "utf8"));
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
