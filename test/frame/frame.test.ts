import { expect, test } from "bun:test";
import { concatFrames, frameFromRows, sortFrame } from "../../src/frame";
import { col } from "../../src/schemas/types";

const defs = [col("ts_event_ns", "int64"), col("seq", "int64", true), col("sym", "utf8"), col("size", "int32")];

test("stable sort by (ts_event_ns, seq) keeps arrival order on full ties and puts null seq last", () => {
  const f = frameFromRows(defs, [
    { ts_event_ns: 5n, seq: 2n, sym: "a", size: 1 },
    { ts_event_ns: 1n, seq: null, sym: "b", size: 2 },
    { ts_event_ns: 5n, seq: 1n, sym: "c", size: 3 },
    { ts_event_ns: 1n, seq: 7n, sym: "d", size: 4 },
    { ts_event_ns: 5n, seq: 1n, sym: "e", size: 5 },
  ]);
  const s = sortFrame(f, ["ts_event_ns", "seq"]);
  expect(s.column("sym").values).toEqual(["d", "b", "c", "e", "a"]);
});

test("concat by name widens int32 → int64 and fills missing columns with nulls", () => {
  const a = frameFromRows([col("x", "int32"), col("y", "utf8")], [{ x: 1, y: "p" }]);
  const b = frameFromRows([col("x", "int64"), col("z", "float64")], [{ x: 2n ** 40n, z: 1.5 }]);
  const c = concatFrames([a, b]);
  expect(c.columnNames).toEqual(["x", "y", "z"]);
  expect(c.column("x").type).toBe("int64");
  expect(c.toRows()).toEqual([
    { x: 1n, y: "p", z: null },
    { x: 2n ** 40n, y: null, z: 1.5 },
  ]);
});
