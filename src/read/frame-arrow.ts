/**
 * Frame → Arrow (table / IPC bytes), for Arrow-speaking consumers: pyarrow, polars,
 * DuckDB's arrow reader. Fixed-width columns move as typed arrays without per-row work;
 * only validity is bit-packed, and strings/lists go through apache-arrow's builders.
 * Kept apart from frame-export.ts so printing a result never loads apache-arrow.
 */
import * as arrow from "apache-arrow";
import type { Column, Frame } from "../frame";
import type { ColumnType } from "../schemas/types";

function arrowType(t: ColumnType): arrow.DataType {
  switch (t) {
    case "int8":
      return new arrow.Int8();
    case "int16":
      return new arrow.Int16();
    case "int32":
      return new arrow.Int32();
    case "int64":
      return new arrow.Int64();
    case "float64":
      return new arrow.Float64();
    case "bool":
      return new arrow.Bool();
    case "utf8":
      return new arrow.Utf8();
    case "date32":
      return new arrow.DateDay();
    case "timestamp_ns":
      return new arrow.TimestampNanosecond();
    case "list_int16":
      return new arrow.List(new arrow.Field("item", new arrow.Int16(), true));
  }
}

/** Our byte-per-row validity (1 = present) → Arrow's LSB bitmap, plus the null count. */
function packValidity(valid: Uint8Array | undefined, n: number): { bitmap: Uint8Array | undefined; nulls: number } {
  if (!valid) return { bitmap: undefined, nulls: 0 };
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (valid[i]) bitmap[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  return nulls ? { bitmap, nulls } : { bitmap: undefined, nulls: 0 };
}

function arrowVector(c: Column, n: number): arrow.Vector {
  const type = arrowType(c.type);
  if (c.type === "utf8") return arrow.vectorFromArray(c.values as (string | null)[], type as arrow.Utf8);
  if (c.type === "list_int16") {
    const vals = (c.values as (Int16Array | null)[]).map((v, i) => (v === null || (c.valid && !c.valid[i]) ? null : Array.from(v)));
    return arrow.vectorFromArray(vals, type as arrow.List<arrow.Int16>);
  }
  const { bitmap, nulls } = packValidity(c.valid, n);
  let data: ArrayLike<number | bigint> = c.values as ArrayLike<number | bigint>;
  if (c.type === "bool") data = packValidity(c.values as Uint8Array, n).bitmap ?? new Uint8Array((n + 7) >> 3).fill(0xff);
  return arrow.makeVector(
    arrow.makeData({ type: type as arrow.Int, length: n, nullCount: nulls, nullBitmap: bitmap, data: data as never }),
  );
}

/** The Frame as an Arrow table. */
export function frameToArrow(frame: Frame): arrow.Table {
  const vectors: Record<string, arrow.Vector> = {};
  for (const c of frame.columns) vectors[c.name] = arrowVector(c, frame.numRows);
  return new arrow.Table(vectors);
}

/** Arrow IPC bytes: the stream format by default, or the file format (`.arrow`). */
export function frameToArrowIPC(frame: Frame, format: "stream" | "file" = "stream"): Uint8Array {
  return arrow.tableToIPC(frameToArrow(frame), format);
}
