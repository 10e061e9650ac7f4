/**
 * Typed value readers on top of JsonCursor: the coercion rules of contracts §1.4.
 * - integers: a JSON integer, an integral number (`3.0`), or a canonical decimal string
 *   (`"41829317"`, the publisher's fallback-encoder quirk); anything else is invalid;
 * - int64: exact, written into a BigInt64Array through its two 32-bit words (no BigInt
 *   allocation on the hot path);
 * - floats: numbers plus the NaN / ±Infinity tokens.
 */
import { DecodeError, JsonCursor, NUM_FLOAT } from "./cursor";
import { floatValue, splitDigits } from "./number";

const D0 = 0x30;
const TWO32 = 4294967296;

/** Read an integer token (number or canonical decimal string) into cur.neg/hi/lo/num. */
export function readIntegerToken(cur: JsonCursor, what: string): void {
  const c = cur.peek();
  if (c === 0x22) return readDecimalString(cur, what);
  if (!cur.readNumber()) cur.fail(`expected ${what} to be an integer`);
  if (cur.numKind === NUM_FLOAT) {
    const v = cur.num;
    if (!Number.isFinite(v) || !Number.isInteger(v)) throw new DecodeError(`${what} must be an integer, got ${v}`);
    if (Math.abs(v) > Number.MAX_SAFE_INTEGER) throw new DecodeError(`${what} ${v} is not an exact integer`);
    const a = Math.abs(v);
    cur.neg = v < 0;
    cur.hi = Math.floor(a / 1e9);
    cur.lo = a - cur.hi * 1e9;
    cur.digits = a === 0 ? 1 : Math.floor(Math.log10(a)) + 1;
    cur.num = v === 0 ? 0 : v; // no -0
  }
}

function readDecimalString(cur: JsonCursor, what: string): void {
  const b = cur.buf;
  let p = cur.pos + 1;
  let neg = false;
  if (b[p] === 0x2d) {
    neg = true;
    p++;
  }
  const s = p;
  while (p < cur.end && b[p]! >= D0 && b[p]! <= 0x39) p++;
  const n = p - s;
  if (b[p] !== 0x22 || n === 0 || (n > 1 && b[s] === D0)) {
    throw new DecodeError(`${what} is a string but not a canonical decimal integer`);
  }
  cur.pos = p + 1;
  splitDigits(cur, b, s, p);
  const { hi, lo } = cur;
  cur.neg = neg && (hi !== 0 || lo !== 0);
  cur.digits = n;
  cur.num = cur.neg ? -(hi * 1e9 + lo) : hi * 1e9 + lo;
}

/** An integer in [min, max] (both within ±2^53) as a number. */
export function readInt(cur: JsonCursor, what: string, min: number, max: number): number {
  readIntegerToken(cur, what);
  const v = cur.num;
  if (cur.digits > 16 || v < min || v > max) throw new DecodeError(`${what} ${intText(cur)} is outside [${min}, ${max}]`);
  return v;
}

/** Reads an int64 into the registers and checks the signed 64-bit range and `min`. */
export function readInt64(cur: JsonCursor, what: string, nonNegative: boolean): void {
  readIntegerToken(cur, what);
  const over = cur.digits > 19 || cur.hi > 9223372036 || (cur.hi === 9223372036 && cur.lo > (cur.neg ? 854775808 : 854775807));
  if (over) throw new DecodeError(`${what} ${intText(cur)} does not fit in int64`);
  if (nonNegative && cur.neg) throw new DecodeError(`${what} must be ≥ 0, got ${intText(cur)}`);
}

export function intText(cur: JsonCursor): string {
  const lo = String(cur.lo);
  const body = cur.hi > 0 ? String(cur.hi) + lo.padStart(9, "0") : lo;
  return cur.neg ? "-" + body : body;
}

/**
 * Write the int64 held in the cursor registers to slot `i` of a BigInt64Array, given its
 * Uint32Array view. |v| = hi·1e9 + lo is rebuilt in 32-bit words with exact double
 * arithmetic (every partial product stays < 2^53).
 */
export function putInt64(words: Uint32Array, col: BigInt64Array, i: number, cur: JsonCursor): void {
  if (cur.neg) {
    col[i] = -(BigInt(cur.hi) * 1_000_000_000n + BigInt(cur.lo));
    return;
  }
  putInt64Parts(words, i, cur.hi, cur.lo);
}

export function putInt64Parts(words: Uint32Array, i: number, hi: number, lo: number): void {
  const a = Math.floor(hi / 65536);
  const b = hi - a * 65536;
  const x = a * 1e9; // < 2^46
  const xh = Math.floor(x / 65536);
  const xl = x - xh * 65536;
  const y = b * 1e9 + lo; // < 2^46
  const yh = Math.floor(y / TWO32);
  let low = xl * 65536 + (y - yh * TWO32);
  let carry = 0;
  if (low >= TWO32) {
    low -= TWO32;
    carry = 1;
  }
  words[2 * i] = low;
  words[2 * i + 1] = xh + yh + carry;
}

/** A float (number or NaN/±Infinity token). */
export function readFloat(cur: JsonCursor, what: string): number {
  if (!cur.readNumber()) cur.fail(`expected ${what} to be a number`);
  return floatValue(cur);
}

/** A finite float > 0 (or ≥ 0 with allowZero). */
export function readPositive(cur: JsonCursor, what: string, allowZero: boolean): number {
  const v = readFloat(cur, what);
  if (!Number.isFinite(v)) throw new DecodeError(`${what} must be finite, got ${v}`);
  if (allowZero ? v < 0 : v <= 0) throw new DecodeError(`${what} must be ${allowZero ? "≥ 0" : "> 0"}, got ${v}`);
  return v;
}

/** `conditions`: null, or an array of int16 (an empty array is stored as null, contracts §2.2). */
export function readConditions(cur: JsonCursor): Int16Array | null {
  if (cur.isNull()) return null;
  cur.beginArray("conditions");
  let tmp: number[] | null = null;
  let first = true;
  while (cur.nextItem(first)) {
    first = false;
    (tmp ??= []).push(readInt(cur, "conditions[]", -32768, 32767));
  }
  return tmp ? Int16Array.from(tmp) : null;
}

/** Skip any JSON value (strictly validated) — used for keys the tables do not persist. */
export function skipValue(cur: JsonCursor, depth = 0): void {
  if (depth > 64) cur.fail("nesting too deep");
  const c = cur.peek();
  if (c === 0x22) {
    cur.readString("value", Infinity); // not persisted: no length cap
  } else if (c === 0x7b) {
    cur.pos++;
    let first = true;
    while (cur.nextKey(first)) {
      first = false;
      skipValue(cur, depth + 1);
    }
  } else if (c === 0x5b) {
    cur.pos++;
    let first = true;
    while (cur.nextItem(first)) {
      first = false;
      skipValue(cur, depth + 1);
    }
  } else if (c === 0x74 || c === 0x66) {
    cur.readBool("value");
  } else if (c === 0x6e) {
    cur.literal("null");
  } else if (!cur.readNumber()) {
    cur.fail("invalid JSON value");
  }
}
