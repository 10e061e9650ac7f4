import type { BronzeTable } from "../../../schemas/bronze";
import type { TableSchema } from "../../../schemas/types";
import type { JsonCursor } from "./cursor";
import type { Partitions } from "./partitions";
import type { TableBuffer } from "./table-buffer";

/**
 * One decoder per table: parse one message body (already positioned in `cur`) into
 * rows starting at `buf.n`, set their partition ids, and return how many rows it wrote.
 * It never advances `buf.n` itself, so a DecodeError leaves the buffer untouched.
 */
export interface TableDecoder {
  /** Table key, also the quarantine folder name: futures.trades, …, levels.signals. */
  readonly table: string;
  readonly schema: TableSchema;
  readonly subject: string;
  /** Storage prefix, e.g. `bronze/futures/trades`. */
  readonly prefix: string;
  readonly keyName: string;
  decode(cur: JsonCursor, buf: TableBuffer, parts: Partitions): number;
}

/** The identity fields of a Bronze table's decoder, taken from BRONZE_TABLES (contracts §1.2, §2.1). */
export function bronzeIdentity(t: BronzeTable): Omit<TableDecoder, "decode"> {
  return { table: t.key, schema: t.schema, subject: t.subject, prefix: `bronze/${t.schemaPath}`, keyName: t.partitionKey };
}
