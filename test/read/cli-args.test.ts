import { describe, expect, test } from "bun:test";
import { UsageError } from "../../src/errors";
import { parseLimit, parseRange, parseTimeArg } from "../../src/read/cli-args";
import { parseFormat } from "../../src/read/output";

describe("reader CLI flags", () => {
  test("--start/--end take integer ns or ISO-8601 with up to 9 fractional digits and any offset", () => {
    expect(parseTimeArg("start", "1768401000123456789")).toBe(1768401000123456789n);
    expect(parseTimeArg("start", "2026-01-14T14:30:00Z")).toBe(1768401000000000000n);
    expect(parseTimeArg("start", "2026-01-14T14:30:00.5Z")).toBe(1768401000500000000n);
    expect(parseTimeArg("start", "2026-01-14T14:30:00.123456789Z")).toBe(1768401000123456789n);
    expect(parseTimeArg("start", "2026-01-14T09:30:00-05:00")).toBe(1768401000000000000n);
    expect(parseTimeArg("start", "2026-01-14T14:30")).toBe(1768401000000000000n); // no zone = UTC
    expect(parseTimeArg("start", "2026-01-14")).toBe(1768348800000000000n);
    expect(parseTimeArg("start", undefined)).toBeUndefined();
  });

  test.each(["yesterday", "2026-01-14T25:00:00Z", "2026-02-30T00:00:00Z", "1.5e18", "2026-01-14T14:30:00.1234567890Z"])(
    "%s is rejected as a usage error",
    (v) => {
      expect(() => parseTimeArg("start", v)).toThrow(UsageError);
    },
  );

  test("ranges, limits and formats are validated", () => {
    expect(parseRange({ date: "2026-01-14", start: "2026-01-14T15:00:00Z", limit: "10" })).toEqual({
      date: "2026-01-14",
      startNs: 1768402800000000000n,
      endNs: undefined,
      limit: 10,
    });
    expect(() => parseRange({ start: "2026-01-14T15:00:00Z", end: "2026-01-14T14:00:00Z" })).toThrow(/before --start/);
    expect(() => parseLimit("-3")).toThrow(UsageError);
    expect(parseFormat(undefined, true)).toBe("json");
    expect(parseFormat(undefined)).toBe("table");
    expect(() => parseFormat("xml")).toThrow(/table, csv, json, parquet/);
  });
});
