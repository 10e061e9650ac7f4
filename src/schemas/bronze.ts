/** Bronze tables, contracts §2.2–§2.4 (the canonical writer schemas). */
import { col, type ColumnDef, type TableSchema } from "./types";

export const FUTURES_TRADES: TableSchema = {
  name: "futures.trades.v1",
  tier: "bronze",
  sortKey: ["ts_event_ns", "seq"],
  columns: [
    col("ts_event_ns", "int64"),
    col("ts_recv_ns", "int64"),
    col("source", "utf8"),
    col("symbol", "utf8"),
    col("price", "float64"),
    col("size", "int32"),
    col("aggressor", "int8"),
    col("exchange", "utf8", true),
    col("conditions", "list_int16", true),
    col("seq", "int64", true),
  ],
};

export const MBP10_DEPTH = 10;

function depthColumns(side: "bid" | "ask"): ColumnDef[] {
  const out: ColumnDef[] = [];
  for (let i = 1; i <= MBP10_DEPTH; i++) {
    out.push(col(`${side}_px_${i}`, "float64"), col(`${side}_sz_${i}`, "int32"));
  }
  return out;
}

/** MBP10V1: 4 header columns, bid pairs 1..10, ask pairs 1..10, 2 trailers = 46 columns. */
export const FUTURES_MBP10: TableSchema = {
  name: "futures.mbp10.v1",
  tier: "bronze",
  sortKey: ["ts_event_ns", "seq"],
  columns: [
    col("ts_event_ns", "int64"),
    col("ts_recv_ns", "int64"),
    col("source", "utf8"),
    col("symbol", "utf8"),
    ...depthColumns("bid"),
    ...depthColumns("ask"),
    col("is_snapshot", "bool"),
    col("seq", "int64", true),
  ],
};

export const OPTION_TRADES: TableSchema = {
  name: "options.trades.v1",
  tier: "bronze",
  sortKey: ["ts_event_ns", "seq"],
  columns: [
    col("ts_event_ns", "int64"),
    col("ts_recv_ns", "int64"),
    col("source", "utf8"),
    col("underlying", "utf8"),
    col("option_symbol", "utf8"),
    col("exp_date", "date32"),
    col("strike", "float64"),
    col("right", "utf8"),
    col("price", "float64"),
    col("size", "int32"),
    col("opt_bid", "float64", true),
    col("opt_ask", "float64", true),
    col("aggressor", "int8"),
    col("conditions", "list_int16", true),
    col("seq", "int64", true),
  ],
};

/** Where each Bronze table lives and which subject feeds it (contracts §1.2, §2.1). */
export interface BronzeTable {
  readonly key: "futures.trades" | "futures.mbp10" | "options.trades";
  readonly schema: TableSchema;
  readonly subject: string;
  readonly schemaPath: string; // e.g. futures/trades
  readonly partitionKey: "symbol" | "underlying";
  /** Durable consumer name: `bronze_writer_` + subject with `.` → `_` (contracts §1.3). */
  readonly durable: string;
}

function table(
  key: BronzeTable["key"],
  schema: TableSchema,
  subject: string,
  schemaPath: string,
  partitionKey: BronzeTable["partitionKey"],
): BronzeTable {
  return { key, schema, subject, schemaPath, partitionKey, durable: `bronze_writer_${subject.replaceAll(".", "_")}` };
}

export const BRONZE_TABLES: readonly BronzeTable[] = [
  table("futures.trades", FUTURES_TRADES, "market.futures.trades", "futures/trades", "symbol"),
  table("futures.mbp10", FUTURES_MBP10, "market.futures.mbp10", "futures/mbp10", "symbol"),
  table("options.trades", OPTION_TRADES, "market.options.trades", "options/trades", "underlying"),
];

export function bronzeTable(key: string): BronzeTable {
  const t = BRONZE_TABLES.find((x) => x.key === key || x.schemaPath === key || x.schema.name === key);
  if (!t) throw new Error(`unknown Bronze schema "${key}" (expected one of ${BRONZE_TABLES.map((x) => x.key).join(", ")})`);
  return t;
}

/** Timestamp sanity range, contracts §2.2: 2000-01-01 ≤ ts ≤ 2100-01-01 (ns). */
export const TS_MIN_NS = 946_684_800_000_000_000n;
export const TS_MAX_NS = 4_102_444_800_000_000_000n;

/** Futures contract code → product root (contracts §2.7); null when not an ES outright or bare root. */
export function futuresRoot(symbol: string): string | null {
  if (symbol === "ES") return "ES";
  return /^ES[FGHJKMNQUVXZ]\d{1,2}$/.test(symbol) ? "ES" : null;
}
