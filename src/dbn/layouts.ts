/**
 * Byte layouts of the DBN records that are read generically (instrument definitions and
 * symbol mappings: a handful per file, so a field table beats hand-written offsets). Trades
 * and MBP-10 have one layout in every version and are decoded by fixed offsets (columns.ts).
 * Field lists follow the record structs field by field; `_reserved*` are zero padding.
 */
export type FieldType = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "u64" | "i64" | "char" | "cstr" | "pad";

export interface Field {
  name: string;
  type: FieldType;
  offset: number;
  /** Byte length (cstr / pad); implied by the type otherwise. */
  len: number;
}

export interface Layout {
  size: number;
  fields: Field[];
  byName: Map<string, Field>;
}

const WIDTH: Record<Exclude<FieldType, "cstr" | "pad">, number> = { u8: 1, i8: 1, char: 1, u16: 2, i16: 2, u32: 4, i32: 4, u64: 8, i64: 8 };

type Spec = [string, FieldType, number?];

function layout(size: number, specs: Spec[]): Layout {
  const fields: Field[] = [];
  let at = 16; // after the record header
  for (const [name, type, n] of specs) {
    const len = type === "cstr" || type === "pad" ? n! : WIDTH[type];
    fields.push({ name, type, offset: at, len });
    at += len;
  }
  if (at !== size) throw new Error(`layout sums to ${at} bytes, expected ${size}`);
  return { size, fields, byName: new Map(fields.map((f) => [f.name, f])) };
}

const PRICES_HEAD: Spec[] = [
  ["ts_recv", "u64"], ["min_price_increment", "i64"], ["display_factor", "i64"], ["expiration", "u64"], ["activation", "u64"],
  ["high_limit_price", "i64"], ["low_limit_price", "i64"], ["max_price_variation", "i64"],
];
const LOTS: Spec[] = [
  ["market_depth_implied", "i32"], ["market_depth", "i32"], ["market_segment_id", "u32"], ["max_trade_vol", "u32"],
  ["min_lot_size", "i32"], ["min_lot_size_block", "i32"], ["min_lot_size_round_lot", "i32"], ["min_trade_vol", "u32"],
];
const strings = (symbolLen: number, assetLen: number): Spec[] => [
  ["currency", "cstr", 4], ["settl_currency", "cstr", 4], ["secsubtype", "cstr", 6], ["raw_symbol", "cstr", symbolLen],
  ["group", "cstr", 21], ["exchange", "cstr", 5], ["asset", "cstr", assetLen], ["cfi", "cstr", 7], ["security_type", "cstr", 7],
  ["unit_of_measure", "cstr", 31], ["underlying", "cstr", 21], ["strike_price_currency", "cstr", 4],
];
const MATURITY_TAIL: Spec[] = [
  ["maturity_month", "u8"], ["maturity_day", "u8"], ["maturity_week", "u8"], ["user_defined_instrument", "char"],
  ["contract_multiplier_unit", "i8"], ["flow_schedule_type", "i8"], ["tick_rule", "u8"],
];

/** InstrumentDefMsg v1 (360 bytes). */
export const DEF_V1 = layout(360, [
  ...PRICES_HEAD, ["trading_reference_price", "i64"], ["unit_of_measure_qty", "i64"], ["min_price_increment_amount", "i64"], ["price_ratio", "i64"],
  ["inst_attrib_value", "i32"], ["underlying_id", "u32"], ["raw_instrument_id", "u32"], ...LOTS, ["_reserved2", "pad", 4],
  ["contract_multiplier", "i32"], ["decay_quantity", "i32"], ["original_contract_size", "i32"], ["_reserved3", "pad", 4],
  ["trading_reference_date", "u16"], ["appl_id", "i16"], ["maturity_year", "u16"], ["decay_start_date", "u16"], ["channel_id", "u16"],
  ...strings(22, 7), ["instrument_class", "char"], ["_reserved4", "pad", 2], ["strike_price", "i64"], ["_reserved5", "pad", 6],
  ["match_algorithm", "char"], ["md_security_trading_status", "u8"], ["main_fraction", "u8"], ["price_display_format", "u8"],
  ["settl_price_type", "u8"], ["sub_fraction", "u8"], ["underlying_product", "u8"], ["security_update_action", "char"],
  ...MATURITY_TAIL, ["_dummy", "pad", 3],
]);

/** InstrumentDefMsg v2 (400 bytes). */
export const DEF_V2 = layout(400, [
  ...PRICES_HEAD, ["trading_reference_price", "i64"], ["unit_of_measure_qty", "i64"], ["min_price_increment_amount", "i64"], ["price_ratio", "i64"],
  ["strike_price", "i64"], ["inst_attrib_value", "i32"], ["underlying_id", "u32"], ["raw_instrument_id", "u32"], ...LOTS,
  ["contract_multiplier", "i32"], ["decay_quantity", "i32"], ["original_contract_size", "i32"],
  ["trading_reference_date", "u16"], ["appl_id", "i16"], ["maturity_year", "u16"], ["decay_start_date", "u16"], ["channel_id", "u16"],
  ...strings(71, 7), ["instrument_class", "char"], ["match_algorithm", "char"], ["md_security_trading_status", "u8"], ["main_fraction", "u8"],
  ["price_display_format", "u8"], ["settl_price_type", "u8"], ["sub_fraction", "u8"], ["underlying_product", "u8"],
  ["security_update_action", "char"], ...MATURITY_TAIL, ["_reserved", "pad", 10],
]);

/** InstrumentDefMsg v3 (520 bytes): 64-bit raw_instrument_id, leg fields, no settlement fields. */
export const DEF_V3 = layout(520, [
  ...PRICES_HEAD, ["unit_of_measure_qty", "i64"], ["min_price_increment_amount", "i64"], ["price_ratio", "i64"], ["strike_price", "i64"],
  ["raw_instrument_id", "u64"], ["leg_price", "i64"], ["leg_delta", "i64"], ["inst_attrib_value", "i32"], ["underlying_id", "u32"], ...LOTS,
  ["contract_multiplier", "i32"], ["decay_quantity", "i32"], ["original_contract_size", "i32"], ["leg_instrument_id", "u32"],
  ["leg_ratio_price_numerator", "i32"], ["leg_ratio_price_denominator", "i32"], ["leg_ratio_qty_numerator", "i32"],
  ["leg_ratio_qty_denominator", "i32"], ["leg_underlying_id", "u32"], ["appl_id", "i16"], ["maturity_year", "u16"],
  ["decay_start_date", "u16"], ["channel_id", "u16"], ["leg_count", "u16"], ["leg_index", "u16"],
  ...strings(71, 11), ["leg_raw_symbol", "cstr", 71], ["instrument_class", "char"], ["match_algorithm", "char"],
  ["main_fraction", "u8"], ["price_display_format", "u8"], ["sub_fraction", "u8"], ["underlying_product", "u8"],
  ["security_update_action", "char"], ...MATURITY_TAIL, ["leg_instrument_class", "char"], ["leg_side", "char"], ["_reserved", "pad", 17],
]);

export function defLayout(version: number): Layout {
  return version === 1 ? DEF_V1 : version === 2 ? DEF_V2 : DEF_V3;
}

/** SymbolMappingMsg v1 (80 bytes) and v2/v3 (176 bytes). */
export const SYMMAP_V1 = layout(80, [["stype_in_symbol", "cstr", 22], ["stype_out_symbol", "cstr", 22], ["_dummy", "pad", 4], ["start_ts", "u64"], ["end_ts", "u64"]]);
export const SYMMAP_V2 = layout(176, [
  ["stype_in", "u8"], ["stype_in_symbol", "cstr", 71], ["stype_out", "u8"], ["stype_out_symbol", "cstr", 71], ["start_ts", "u64"], ["end_ts", "u64"],
]);

export type FieldValue = number | bigint | string;
export type RecordValues = Record<string, FieldValue>;

const latin1 = new TextDecoder("latin1");

/** Every field of one record (header fields included) as a plain object. */
export function readFields(lay: Layout, buf: Uint8Array, at: number): RecordValues {
  const dv = new DataView(buf.buffer, buf.byteOffset + at, lay.size);
  const out: RecordValues = {
    length: buf[at]! * 4,
    rtype: buf[at + 1]!,
    publisher_id: dv.getUint16(2, true),
    instrument_id: dv.getUint32(4, true),
    ts_event: dv.getBigUint64(8, true),
  };
  for (const f of lay.fields) {
    const o = f.offset;
    switch (f.type) {
      case "u8": out[f.name] = dv.getUint8(o); break;
      case "i8": out[f.name] = dv.getInt8(o); break;
      case "char": out[f.name] = String.fromCharCode(dv.getUint8(o)); break;
      case "u16": out[f.name] = dv.getUint16(o, true); break;
      case "i16": out[f.name] = dv.getInt16(o, true); break;
      case "u32": out[f.name] = dv.getUint32(o, true); break;
      case "i32": out[f.name] = dv.getInt32(o, true); break;
      case "u64": out[f.name] = dv.getBigUint64(o, true); break;
      case "i64": out[f.name] = dv.getBigInt64(o, true); break;
      case "cstr": {
        let end = o;
        while (end < o + f.len && buf[at + end] !== 0) end++;
        out[f.name] = latin1.decode(buf.subarray(at + o, at + end));
        break;
      }
      case "pad": break;
    }
  }
  return out;
}

/** Write a record from values (missing fields are zero / empty) into `buf` at `at`. */
export function writeFields(lay: Layout, rtype: number, v: RecordValues, buf: Uint8Array, at: number): void {
  const dv = new DataView(buf.buffer, buf.byteOffset + at, lay.size);
  buf.fill(0, at, at + lay.size);
  buf[at] = lay.size / 4;
  buf[at + 1] = rtype;
  dv.setUint16(2, Number(v.publisher_id ?? 0), true);
  dv.setUint32(4, Number(v.instrument_id ?? 0), true);
  dv.setBigUint64(8, BigInt(v.ts_event ?? 0n), true);
  for (const f of lay.fields) {
    const x = v[f.name];
    if (x === undefined || f.type === "pad") continue;
    const o = f.offset;
    switch (f.type) {
      case "u8": dv.setUint8(o, Number(x)); break;
      case "i8": dv.setInt8(o, Number(x)); break;
      case "char": dv.setUint8(o, typeof x === "string" ? (x.charCodeAt(0) || 0) : Number(x)); break;
      case "u16": dv.setUint16(o, Number(x), true); break;
      case "i16": dv.setInt16(o, Number(x), true); break;
      case "u32": dv.setUint32(o, Number(x), true); break;
      case "i32": dv.setInt32(o, Number(x), true); break;
      case "u64": dv.setBigUint64(o, BigInt(x), true); break;
      case "i64": dv.setBigInt64(o, BigInt(x), true); break;
      case "cstr": {
        const s = String(x);
        if (s.length >= f.len) throw new Error(`${f.name} ${JSON.stringify(s)} does not fit ${f.len} bytes`);
        for (let i = 0; i < s.length; i++) buf[at + o + i] = s.charCodeAt(i) & 0xff;
        break;
      }
    }
  }
}

/** TradeMsg (48 bytes) and Mbp10Msg (368 bytes), same in every version: for full-record reads (tests, tools). */
const COMMON: Spec[] = [
  ["price", "i64"], ["size", "u32"], ["action", "char"], ["side", "char"], ["flags", "u8"], ["depth", "u8"],
  ["ts_recv", "u64"], ["ts_in_delta", "i32"], ["sequence", "u32"],
];
export const TRADE = layout(48, COMMON);
export const MBP10 = layout(368, [
  ...COMMON,
  ...Array.from({ length: 10 }, (_, i): Spec[] => [
    [`bid_px_${i}`, "i64"], [`ask_px_${i}`, "i64"], [`bid_sz_${i}`, "u32"], [`ask_sz_${i}`, "u32"], [`bid_ct_${i}`, "u32"], [`ask_ct_${i}`, "u32"],
  ]).flat(),
]);
