import { expect, test } from "bun:test";
import { partitionDir, safeSegment, utcDateHour, validateDate, validateKey } from "../../src/core/keys";

test("utcDateHour uses integer arithmetic at hour boundaries", () => {
  // 2026-01-14T14:59:59.999999999Z and one ns later — float division would blur these.
  const t = 1768402799999999999n;
  expect(utcDateHour(t)).toEqual({ date: "2026-01-14", hour: "14" });
  expect(utcDateHour(t + 1n)).toEqual({ date: "2026-01-14", hour: "15" });
  expect(utcDateHour(1768435199999999999n)).toEqual({ date: "2026-01-14", hour: "23" });
  expect(utcDateHour(1768435200000000000n)).toEqual({ date: "2026-01-15", hour: "00" });
});

test("partition values that could escape the lake are rejected with the kind named", () => {
  for (const bad of ["../x", "a/b", "", ".hidden", "a..b", "x".repeat(200), "ES H6", "é"]) {
    expect(() => safeSegment("symbol", bad)).toThrow(/invalid symbol/);
  }
  expect(safeSegment("symbol", "ESH6")).toBe("ESH6");
  expect(safeSegment("version", "v1.0_mechanics_only")).toBe("v1.0_mechanics_only");
});

test("partitionDir builds the hive layout and validates every segment", () => {
  expect(partitionDir("bronze/futures/trades", "symbol", "ES", "2026-01-14", "09")).toBe(
    "bronze/futures/trades/symbol=ES/date=2026-01-14/hour=09",
  );
  expect(() => partitionDir("bronze/futures/trades", "symbol", "../x", "2026-01-14", "09")).toThrow();
  expect(() => partitionDir("bronze/futures/trades", "symbol", "ES", "2026-02-30", "09")).toThrow(/date/);
  expect(() => partitionDir("bronze/futures/trades", "symbol", "ES", "2026-02-03", "24")).toThrow(/hour/);
});

test("validateKey and validateDate", () => {
  expect(validateKey("a/b/c.parquet")).toBe("a/b/c.parquet");
  expect(() => validateKey("a/../b")).toThrow();
  expect(validateDate("2024-02-29")).toBe("2024-02-29");
  expect(() => validateDate("2023-02-29")).toThrow(/YYYY-MM-DD/);
});
