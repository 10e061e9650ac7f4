/**
 * DBN (Databento Binary Encoding) constants: record types, schema ids, sentinels and the
 * fixed record sizes of the layouts lake reads. All integers are little-endian; prices are
 * signed fixed-point with 9 decimals (1 unit = 1e-9).
 */
import { LakeError } from "../errors";

export const DBN_MAGIC = [0x44, 0x42, 0x4e] as const; // "DBN"
export const DBN_MAX_VERSION = 3;
export const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd] as const;

/** Record type byte (`hd.rtype`). */
export const RTYPE = {
  MBP_0: 0x00, // TradeMsg (trades schema)
  MBP_1: 0x01,
  MBP_10: 0x0a,
  STATUS: 0x12,
  INSTRUMENT_DEF: 0x13,
  IMBALANCE: 0x14,
  ERROR: 0x15,
  SYMBOL_MAPPING: 0x16,
  SYSTEM: 0x17,
  STATISTICS: 0x18,
  MBO: 0xa0,
} as const;

/** Metadata `schema` (u16); 0xFFFF = mixed. */
export const SCHEMA_ID = { mbo: 0, "mbp-1": 1, "mbp-10": 2, tbbo: 3, trades: 4, definition: 9 } as const;
export type DbnSchemaName = keyof typeof SCHEMA_ID;
export const SCHEMA_MIXED = 0xffff;

export function schemaName(id: number | null): string {
  if (id === null) return "mixed";
  for (const [k, v] of Object.entries(SCHEMA_ID)) if (v === id) return k;
  return `schema#${id}`;
}

/** Symbology types (`stype_in` / `stype_out`). */
export const STYPE = { instrument_id: 0, raw_symbol: 1, smart: 2, continuous: 3, parent: 4 } as const;
export const STYPE_NONE = 0xff;

export const UNDEF_PRICE = 0x7fff_ffff_ffff_ffffn;
export const UNDEF_PRICE_HI = 0x7fff_ffff;
export const UNDEF_PRICE_LO = 0xffff_ffff;
export const UNDEF_ORDER_SIZE = 0xffff_ffff;
export const UNDEF_TIMESTAMP = 0xffff_ffff_ffff_ffffn;

/** Record flags (`flags` byte). */
export const FLAG = { LAST: 0x80, TOB: 0x40, SNAPSHOT: 0x20, MBP: 0x10, BAD_TS_RECV: 0x08, MAYBE_BAD_BOOK: 0x04 } as const;

/** Where `lake import dbn` keeps its commit records, intents and staged files. */
export const IMPORT_PREFIX = "_import/dbn";

export const HEADER_SIZE = 16;
export const TRADE_SIZE = 48;
export const MBP10_SIZE = 368;
export const LEVEL_SIZE = 32;
export const MBP10_LEVELS = 10;

/** Fixed part of the metadata after the 8-byte prelude (identical length in v1, v2 and v3). */
export const METADATA_FIXED_LEN = 100;
export const DATASET_CSTR_LEN = 16;
export const SYMBOL_CSTR_LEN_V1 = 22;
export const SYMBOL_CSTR_LEN_V2 = 71;

/** A malformed or unsupported DBN input: names the file and the byte offset of the problem. */
export class DbnFormatError extends LakeError {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
    /** "decompressed" when the offset counts bytes of the zstd-decompressed stream. */
    readonly space: "file" | "decompressed" = "file",
  ) {
    super(`${file}: ${reason} at byte offset ${offset}${space === "decompressed" ? " (of the decompressed stream)" : ""}`);
    this.name = "DbnFormatError";
  }
}
