/**
 * DBN metadata header, versions 1–3:
 *   "DBN" version:u8 length:u32 | dataset[16] schema:u16 start:u64 end:u64 limit:u64
 *   [v1: record_count:u64] stype_in:u8 stype_out:u8 ts_out:u8 [v2+: symbol_cstr_len:u16]
 *   reserved (v1: 47, v2+: 53) schema_definition_length:u32 (always 0)
 *   symbols, partial, not_found: u32 count + count × symbol cstr
 *   mappings: u32 count × { raw_symbol cstr, u32 n × { start_date:u32 YYYYMMDD, end_date:u32, symbol cstr } }
 * The fixed part (before schema_definition_length) is 100 bytes in every version; v1 symbols are 22-byte strings, v2+ 71.
 */
import {
  DATASET_CSTR_LEN, DBN_MAGIC, DBN_MAX_VERSION, DbnFormatError, METADATA_FIXED_LEN, SCHEMA_MIXED,
  STYPE_NONE, SYMBOL_CSTR_LEN_V1, SYMBOL_CSTR_LEN_V2, UNDEF_TIMESTAMP,
} from "./constants";

export interface MappingInterval {
  /** YYYYMMDD, inclusive. */
  startDate: number;
  /** YYYYMMDD, exclusive. */
  endDate: number;
  symbol: string;
}

export interface SymbolMapping {
  rawSymbol: string;
  intervals: MappingInterval[];
}

export interface DbnMetadata {
  version: number;
  dataset: string;
  /** Schema id, null when the file mixes schemas. */
  schema: number | null;
  start: bigint;
  /** null = UNDEF_TIMESTAMP */
  end: bigint | null;
  /** 0 = no limit */
  limit: bigint;
  stypeIn: number | null;
  stypeOut: number;
  tsOut: boolean;
  symbolCstrLen: number;
  symbols: string[];
  partial: string[];
  notFound: string[];
  mappings: SymbolMapping[];
  /** Total bytes of the header (prelude + metadata); the first record starts here. */
  byteLength: number;
}

const latin1 = new TextDecoder("latin1");

export function readCStr(buf: Uint8Array, at: number, len: number): string {
  let end = at;
  const stop = at + len;
  while (end < stop && buf[end] !== 0) end++;
  return latin1.decode(buf.subarray(at, end));
}

/** Bytes needed to know the header length: the 8-byte prelude. */
export const PRELUDE_LEN = 8;

/** Validate the prelude and return the total header length (throws on a bad magic or version). */
export function headerLength(buf: Uint8Array, file: string): number {
  if (buf.length < PRELUDE_LEN) throw new DbnFormatError(file, buf.length, "truncated DBN header (fewer than 8 bytes)");
  if (buf[0] !== DBN_MAGIC[0] || buf[1] !== DBN_MAGIC[1] || buf[2] !== DBN_MAGIC[2]) {
    throw new DbnFormatError(file, 0, `not a DBN stream (magic ${hex(buf.subarray(0, 3))}, expected 44424e "DBN")`);
  }
  const version = buf[3]!;
  if (version < 1 || version > DBN_MAX_VERSION) {
    throw new DbnFormatError(file, 3, `unsupported DBN version ${version} (this lake reads versions 1 to ${DBN_MAX_VERSION})`);
  }
  const len = new DataView(buf.buffer, buf.byteOffset, 8).getUint32(4, true);
  if (len < METADATA_FIXED_LEN) throw new DbnFormatError(file, 4, `metadata length ${len} is shorter than the fixed ${METADATA_FIXED_LEN} bytes`);
  return PRELUDE_LEN + len;
}

function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

/** Decode a complete header (`buf` holds at least headerLength bytes). */
export function decodeMetadata(buf: Uint8Array, file: string): DbnMetadata {
  const total = headerLength(buf, file);
  if (buf.length < total) throw new DbnFormatError(file, buf.length, `truncated DBN metadata (needs ${total} bytes)`);
  const dv = new DataView(buf.buffer, buf.byteOffset, total);
  const version = buf[3]!;
  let p = PRELUDE_LEN;
  const dataset = readCStr(buf, p, DATASET_CSTR_LEN);
  p += DATASET_CSTR_LEN;
  const schemaRaw = dv.getUint16(p, true);
  p += 2;
  const start = dv.getBigUint64(p, true);
  const endRaw = dv.getBigUint64(p + 8, true);
  const limit = dv.getBigUint64(p + 16, true);
  p += 24;
  if (version === 1) p += 8; // record_count, dropped in v2
  const stypeIn = buf[p]!;
  const stypeOut = buf[p + 1]!;
  const tsOut = buf[p + 2] !== 0;
  p += 3;
  let symbolCstrLen = SYMBOL_CSTR_LEN_V1;
  if (version >= 2) {
    symbolCstrLen = dv.getUint16(p, true);
    p += 2;
  }
  p = PRELUDE_LEN + METADATA_FIXED_LEN; // skip the reserved bytes
  const schemaDefLen = dv.getUint32(p, true);
  if (schemaDefLen !== 0) throw new DbnFormatError(file, p, "DBN metadata with an embedded schema definition is not supported");
  p += 4;
  const need = (n: number) => {
    if (p + n > total) throw new DbnFormatError(file, p, "metadata symbol section overruns the declared metadata length");
  };
  const readSymbols = (): string[] => {
    need(4);
    const n = dv.getUint32(p, true);
    p += 4;
    need(n * symbolCstrLen);
    const out: string[] = [];
    for (let i = 0; i < n; i++, p += symbolCstrLen) out.push(readCStr(buf, p, symbolCstrLen));
    return out;
  };
  const symbols = readSymbols();
  const partial = readSymbols();
  const notFound = readSymbols();
  need(4);
  const nMappings = dv.getUint32(p, true);
  p += 4;
  const mappings: SymbolMapping[] = [];
  for (let i = 0; i < nMappings; i++) {
    need(symbolCstrLen + 4);
    const rawSymbol = readCStr(buf, p, symbolCstrLen);
    p += symbolCstrLen;
    const nIntervals = dv.getUint32(p, true);
    p += 4;
    need(nIntervals * (8 + symbolCstrLen));
    const intervals: MappingInterval[] = [];
    for (let j = 0; j < nIntervals; j++) {
      intervals.push({ startDate: dv.getUint32(p, true), endDate: dv.getUint32(p + 4, true), symbol: readCStr(buf, p + 8, symbolCstrLen) });
      p += 8 + symbolCstrLen;
    }
    mappings.push({ rawSymbol, intervals });
  }
  return {
    version,
    dataset,
    schema: schemaRaw === SCHEMA_MIXED ? null : schemaRaw,
    start,
    end: endRaw === UNDEF_TIMESTAMP ? null : endRaw,
    limit,
    stypeIn: stypeIn === STYPE_NONE ? null : stypeIn,
    stypeOut,
    tsOut,
    symbolCstrLen,
    symbols,
    partial,
    notFound,
    mappings,
    byteLength: total,
  };
}

/**
 * Encode a header as DBN v3 writes it (the layout of the reference files): zero padding up
 * to a multiple of 8 bytes, unused bytes zero.
 */
export function encodeMetadataV3(m: Omit<DbnMetadata, "version" | "byteLength" | "symbolCstrLen">): Uint8Array {
  const L = SYMBOL_CSTR_LEN_V2;
  let size = PRELUDE_LEN + METADATA_FIXED_LEN;
  size += 4 + 12 + (m.symbols.length + m.partial.length + m.notFound.length) * L + 4;
  for (const mp of m.mappings) size += L + 4 + mp.intervals.length * (8 + L);
  size = Math.ceil(size / 8) * 8; // v3 pads the header so the first record is 8-byte aligned
  const buf = new Uint8Array(size);
  const dv = new DataView(buf.buffer);
  buf.set(DBN_MAGIC, 0);
  buf[3] = 3;
  dv.setUint32(4, size - PRELUDE_LEN, true);
  let p = PRELUDE_LEN;
  writeCStr(buf, p, DATASET_CSTR_LEN, m.dataset);
  p += DATASET_CSTR_LEN;
  dv.setUint16(p, m.schema ?? SCHEMA_MIXED, true);
  dv.setBigUint64(p + 2, m.start, true);
  dv.setBigUint64(p + 10, m.end ?? UNDEF_TIMESTAMP, true);
  dv.setBigUint64(p + 18, m.limit, true);
  p += 26;
  buf[p] = m.stypeIn ?? STYPE_NONE;
  buf[p + 1] = m.stypeOut;
  buf[p + 2] = m.tsOut ? 1 : 0;
  dv.setUint16(p + 3, L, true);
  p = PRELUDE_LEN + METADATA_FIXED_LEN + 4; // reserved bytes and schema_definition_length stay 0
  for (const list of [m.symbols, m.partial, m.notFound]) {
    dv.setUint32(p, list.length, true);
    p += 4;
    for (const s of list) {
      writeCStr(buf, p, L, s);
      p += L;
    }
  }
  dv.setUint32(p, m.mappings.length, true);
  p += 4;
  for (const mp of m.mappings) {
    writeCStr(buf, p, L, mp.rawSymbol);
    dv.setUint32(p + L, mp.intervals.length, true);
    p += L + 4;
    for (const iv of mp.intervals) {
      dv.setUint32(p, iv.startDate, true);
      dv.setUint32(p + 4, iv.endDate, true);
      writeCStr(buf, p + 8, L, iv.symbol);
      p += 8 + L;
    }
  }
  return buf;
}

export function writeCStr(buf: Uint8Array, at: number, len: number, s: string): void {
  if (s.length >= len) throw new Error(`string ${JSON.stringify(s)} does not fit a ${len}-byte C string`);
  for (let i = 0; i < s.length; i++) buf[at + i] = s.charCodeAt(i) & 0xff;
}
