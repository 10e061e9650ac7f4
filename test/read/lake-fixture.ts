/**
 * Temp lakes for reader tests: lake-written files (encodeParquet + src/schemas), copies of
 * the predecessor's fixture files, and deliberately corrupt files.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { frameFromRows } from "../../src/frame";
import { encodeParquet } from "../../src/parquet";
import { FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES } from "../../src/schemas/bronze";
import { LEVEL_SIGNALS } from "../../src/schemas/gold";
import type { TableSchema } from "../../src/schemas/types";
import { FIXTURE_DAY_A } from "../../testkit/fixtures";

export const FIXTURE = FIXTURE_DAY_A;

export interface TempLake extends Disposable {
  root: string;
  /** Write rows as a lake Parquet file at `key` (relative to the root). */
  write(schema: TableSchema, key: string, rows: Record<string, unknown>[]): string;
  /** Copy a file or directory from the predecessor fixture (relative key) into the lake. */
  copyFixture(key: string): void;
  /** Copy one fixture hour of all three tables (futures trades, MBP-10, option trades). */
  copyFixtureHour(date: string, hour: string): void;
  /** Put raw bytes at `key`. */
  raw(key: string, bytes: Uint8Array | string): void;
}

export function tempLake(): TempLake {
  const root = mkdtempSync(join(tmpdir(), "lake-read-"));
  return {
    root,
    write(schema, key, rows) {
      const path = join(root, key);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, encodeParquet(frameFromRows(schema.columns, rows), { schema }));
      return path;
    },
    copyFixture(key) {
      cpSync(join(FIXTURE, key), join(root, key), { recursive: true });
    },
    copyFixtureHour(date, hour) {
      for (const table of ["futures/trades/symbol=ES", "futures/mbp10/symbol=ES", "options/trades/underlying=ES"]) {
        this.copyFixture(`bronze/${table}/date=${date}/hour=${hour}`);
      }
    },
    raw(key, bytes) {
      const path = join(root, key);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
    },
    [Symbol.dispose]() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** ns for an ISO instant with optional extra nanoseconds. */
export function ns(iso: string, extra = 0n): bigint {
  return BigInt(Date.parse(iso)) * 1_000_000n + extra;
}

let seqCounter = 1000n;

export function trade(ts: bigint, symbol: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ts_event_ns: ts,
    ts_recv_ns: ts + 1000n,
    source: "test",
    symbol,
    price: 7000.25,
    size: 1,
    aggressor: 1,
    exchange: "CME",
    conditions: null,
    seq: seqCounter++,
    ...over,
  };
}

export function mbp(ts: bigint, symbol: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  const r: Record<string, unknown> = { ts_event_ns: ts, ts_recv_ns: ts, source: "test", symbol, is_snapshot: false, seq: seqCounter++ };
  for (let i = 1; i <= 10; i++) {
    r[`bid_px_${i}`] = 7000 - i * 0.25;
    r[`bid_sz_${i}`] = i;
    r[`ask_px_${i}`] = 7000 + i * 0.25;
    r[`ask_sz_${i}`] = i;
  }
  return { ...r, ...over };
}

export function optionTrade(ts: bigint, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ts_event_ns: ts,
    ts_recv_ns: ts,
    source: "test",
    underlying: "ES",
    option_symbol: "E2CF6 C7025",
    exp_date: 20467, // 2026-01-14
    strike: 7025,
    right: "C",
    price: 8.25,
    size: 2,
    opt_bid: 8.0,
    opt_ask: 8.5,
    aggressor: 1,
    conditions: new Int16Array([12, 37]),
    seq: seqCounter++,
    ...over,
  };
}

export function signal(ts: bigint, levelId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { ts_event_ns: ts, underlying: "ES", level_id: levelId, level_kind: "PM_HIGH", level_price: 7010, spot: 7001.5, ...over };
}

/** Partition key of a Bronze futures file. */
export function futKey(kind: "trades" | "mbp10", date: string, hour: string, name = "part-a.parquet"): string {
  return `bronze/futures/${kind}/symbol=ES/date=${date}/hour=${hour}/${name}`;
}

export { FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES, LEVEL_SIGNALS };
