/**
 * JSON number scanning for the ingest tokenizer (`cursor.ts`): one pass over the bytes
 * into the cursor's result registers, no string or object per number.
 *
 * Integers are kept exactly as (hi, lo) with lo = the last 9 decimal digits, so 19-digit
 * `*_ns` values (> 2^53) survive (contracts §1.4, §9 D-5). Floats take the Clinger fast path
 * (≤ 15 significant digits, power of ten ≤ 22: one correctly rounded operation, so the
 * double equals what `parseFloat` gives) and fall back to `Number(text)` otherwise; an
 * integer of more than 18 digits read as a float is also re-read from its text
 * (`floatValue`), because hi·1e9 + lo would round twice.
 * The bare `NaN` / `Infinity` / `-Infinity` tokens of the Python publisher are accepted.
 */
import type { JsonCursor } from "./cursor";

/** Kind of the last number read. */
export const NUM_INT = 0;
export const NUM_FLOAT = 1;

const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const D0 = 0x30;
const D9 = 0x39;

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** Read a number token at the cursor; false (cursor unmoved) if the next token is not one. */
export function scanNumber(cur: JsonCursor): boolean {
  const b = cur.buf;
  let c = cur.ws();
  let p = cur.pos;
  const e = cur.end;
  cur.neg = false;
  if (c === MINUS) {
    cur.neg = true;
    p++;
    c = p < e ? b[p]! : -1;
  }
  if (c === 0x4e /* N */ && !cur.neg) {
    cur.pos = p;
    cur.literal("NaN");
    cur.numKind = NUM_FLOAT;
    cur.num = NaN;
    return true;
  }
  if (c === 0x49 /* I */) {
    cur.pos = p;
    cur.literal("Infinity");
    cur.numKind = NUM_FLOAT;
    cur.num = cur.neg ? -Infinity : Infinity;
    return true;
  }
  if (c < D0 || c > D9) {
    if (cur.neg) {
      cur.pos = p;
      cur.fail("invalid number");
    }
    return false;
  }
  const intStart = p;
  if (c === D0 && p + 1 < e && b[p + 1]! >= D0 && b[p + 1]! <= D9) {
    cur.pos = p;
    cur.fail("invalid number (leading zero)");
  }
  // One pass: accumulate the mantissa while scanning (exact while ≤ 15 digits).
  let m = 0;
  let d = 0;
  while (p < e) {
    d = b[p]! - D0;
    if (d < 0 || d > 9) break;
    m = m * 10 + d;
    p++;
  }
  const intEnd = p;
  const nInt = intEnd - intStart;
  cur.digits = nInt;
  let isFloat = false;
  let nFrac = 0;
  let exp = 0;
  if (p < e && b[p] === DOT) {
    p++;
    const fracStart = p;
    while (p < e) {
      d = b[p]! - D0;
      if (d < 0 || d > 9) break;
      m = m * 10 + d;
      p++;
    }
    nFrac = p - fracStart;
    if (nFrac === 0) {
      cur.pos = p;
      cur.fail("invalid number (no digits after '.')");
    }
    isFloat = true;
  }
  if (p < e && (b[p] === 0x65 || b[p] === 0x45)) {
    p++;
    let eneg = false;
    if (p < e && (b[p] === MINUS || b[p] === PLUS)) {
      eneg = b[p] === MINUS;
      p++;
    }
    const es = p;
    while (p < e && b[p]! >= D0 && b[p]! <= D9) {
      exp = exp * 10 + (b[p]! - D0);
      p++;
    }
    if (p === es) {
      cur.pos = p;
      cur.fail("invalid number (empty exponent)");
    }
    if (eneg) exp = -exp;
    isFloat = true;
  }
  cur.pos = p;
  if (!isFloat) {
    cur.numKind = NUM_INT;
    if (nInt <= 15) {
      cur.hi = Math.floor(m / 1e9);
      cur.lo = m - cur.hi * 1e9;
    } else splitDigits(cur, b, intStart, intEnd);
    // hi * 1e9 is exact while hi * 5^9 < 2^53 (≤ 18 digits), so the sum is one correctly
    // rounded operation = JSON.parse. Longer integers round twice here (hi * 1e9, then
    // + lo): floatValue() re-reads their text. Int64 fields use hi/lo only, so the hot
    // 19-digit `*_ns` path never builds a string.
    cur.num = cur.neg ? -(cur.hi * 1e9 + cur.lo) : cur.hi * 1e9 + cur.lo;
    cur.tokStart = cur.neg ? intStart - 1 : intStart;
    return true;
  }
  cur.numKind = NUM_FLOAT;
  // Clinger fast path: ≤ 15 significant digits and a power of ten ≤ 22 → one correctly
  // rounded operation, so the double is exactly what parseFloat would give.
  if (nInt + nFrac <= 15) {
    const e10 = exp - nFrac;
    if (e10 >= 0 && e10 <= 22) {
      const v = m * POW10[e10]!;
      if (v <= 9007199254740991) {
        cur.num = cur.neg ? -v : v;
        return true;
      }
    } else if (e10 < 0 && e10 >= -22) {
      const v = m / POW10[-e10]!;
      cur.num = cur.neg ? -v : v;
      return true;
    }
  }
  cur.num = numberFromText(b, cur.neg ? intStart - 1 : intStart, p);
  return true;
}

/** The last number read as a double exactly as JSON.parse gives it (float columns). */
export function floatValue(cur: JsonCursor): number {
  if (cur.numKind === NUM_INT && cur.digits > 18) return numberFromText(cur.buf, cur.tokStart, cur.pos);
  return cur.num;
}

/** The slow path: the token's text through the engine's own (correctly rounding) parser. */
function numberFromText(b: Uint8Array, s: number, e: number): number {
  // One decode call: ~2x faster than building the string a character at a time.
  return Number(latin1.decode(b.subarray(s, e)));
}

const latin1 = new TextDecoder("latin1");

/** The decimal digits b[s, e) → cur.hi / cur.lo with lo = the last 9 digits (also used for decimal strings, values.ts). */
export function splitDigits(cur: JsonCursor, b: Uint8Array, s: number, e: number): void {
  const cut = e - 9 > s ? e - 9 : s;
  let hi = 0;
  for (let i = s; i < cut; i++) hi = hi * 10 + (b[i]! - D0);
  let lo = 0;
  for (let i = cut; i < e; i++) lo = lo * 10 + (b[i]! - D0);
  cur.hi = hi;
  cur.lo = lo;
}
