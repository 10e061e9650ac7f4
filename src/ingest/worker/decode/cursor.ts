/**
 * A byte-level JSON tokenizer for the wire bodies of contracts §1.4, written for the
 * ingest hot loop: it reads straight from the message bytes into typed columns, with
 * no intermediate object per message.
 *
 * Why not JSON.parse: it rejects the bare `NaN` / `Infinity` / `-Infinity` tokens the
 * Python publisher emits and rounds the 19-digit `*_ns` integers (> 2^53). Here an
 * integer is kept exactly as (hi, lo) with lo = its last 9 decimal digits, so
 * hi = floor(v / 1e9) — for a `*_ns` timestamp that is the epoch second, which also
 * gives integer-exact UTC hour bucketing (contracts §2.1, §9 D-5).
 *
 * Every method throws DecodeError with a reason a person can act on; the caller turns
 * it into a quarantine record. The tokenizer is strict JSON (RFC 8259) plus the three
 * non-finite tokens. Number scanning lives in `number.ts`.
 */
import { NUM_INT, scanNumber } from "./number";

export { NUM_FLOAT, NUM_INT } from "./number";

export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecodeError";
  }
}

const Q = 0x22; // "
const BS = 0x5c; // backslash
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Longest string value a persisted field may have (UTF-8 bytes). Real values are a few to a
 * few dozen bytes; a longer one is a broken or hostile publisher, quarantined with a reason.
 */
export const STRING_MAX_BYTES = 1024;

/** Bounded string intern table: repeated values (`ESZ5`, `direct_feed`, `CME`) cost no allocation. */
const INTERN_MAX = 8192;
const interned = new Map<number, string>();

export class JsonCursor {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;

  // Result registers of readNumber() — avoids allocating a result object per number.
  numKind = NUM_INT;
  /** The value as a double (exact for integers with ≤ 15 digits and for fast-path floats). */
  num = 0;
  neg = false;
  /** For integers: |v| = hi * 1e9 + lo, 0 ≤ lo < 1e9 (exact up to 2^53 * 1e9). */
  hi = 0;
  lo = 0;
  /** Count of integer digits (for int64 overflow checks). */
  digits = 0;
  /** Latest accepted event time, epoch seconds (receive time + 1 day; set by the writer). */
  maxEventSec = 4_102_444_800; // 2100-01-01 until the writer sets it
  /** Byte offset of the last integer token (its sign included): floatValue() re-reads long ones. */
  tokStart = 0;
  // Last key read by nextKey(): its hash and byte span.
  keyHash = 0;
  keyStart = 0;
  keyLen = 0;

  reset(buf: Uint8Array, start = 0, end = buf.length): void {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  fail(what: string): never {
    throw new DecodeError(`${what} at byte ${this.pos}`);
  }

  ws(): number {
    const b = this.buf;
    let p = this.pos;
    const e = this.end;
    while (p < e) {
      const c = b[p]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
    return p < e ? b[p]! : -1;
  }

  /** Skip whitespace and return the next byte without consuming it (-1 at end). */
  peek(): number {
    return this.ws();
  }

  expect(ch: number, what: string): void {
    if (this.ws() !== ch) this.fail(`expected ${what}`);
    this.pos++;
  }

  /** After the top-level value: only whitespace may follow. */
  expectEnd(): void {
    if (this.ws() !== -1) this.fail("unexpected trailing bytes after the JSON value");
  }

  beginObject(what: string): void {
    if (this.ws() !== 0x7b) this.fail(`expected ${what} to be an object`);
    this.pos++;
  }

  /**
   * Object iteration: call after beginObject(); returns true with the key in
   * keyHash/keyStart/keyLen and the cursor after the `:`, or false after the closing `}`.
   * `first` tells whether a comma is expected.
   */
  nextKey(first: boolean): boolean {
    let c = this.ws();
    if (c === 0x7d) {
      this.pos++;
      return false;
    }
    if (!first) {
      if (c !== 0x2c) this.fail("expected ',' or '}' in object");
      this.pos++;
      c = this.ws();
    }
    if (c !== Q) this.fail("expected a string key");
    const b = this.buf;
    let p = this.pos + 1;
    const start = p;
    let h = 0;
    while (p < this.end) {
      const k = b[p]!;
      if (k === Q) break;
      if (k === BS || k < 0x20) this.fail("unsupported escape or control character in key");
      h = (Math.imul(h, 31) + k) | 0;
      p++;
    }
    if (p >= this.end) this.fail("unterminated key");
    this.keyHash = h;
    this.keyStart = start;
    this.keyLen = p - start;
    this.pos = p + 1;
    this.expect(0x3a, "':' after key");
    return true;
  }

  /** Array iteration, same protocol as nextKey: returns false after the closing `]`. */
  nextItem(first: boolean): boolean {
    const c = this.ws();
    if (c === 0x5d) {
      this.pos++;
      return false;
    }
    if (!first) {
      if (c !== 0x2c) this.fail("expected ',' or ']' in array");
      this.pos++;
    }
    return true;
  }

  beginArray(what: string): void {
    if (this.ws() !== 0x5b) this.fail(`expected ${what} to be an array`);
    this.pos++;
  }

  isNull(): boolean {
    if (this.ws() !== 0x6e) return false;
    this.literal("null");
    return true;
  }

  readBool(what: string): boolean {
    const c = this.ws();
    if (c === 0x74) {
      this.literal("true");
      return true;
    }
    if (c === 0x66) {
      this.literal("false");
      return false;
    }
    return this.fail(`expected ${what} to be a boolean`);
  }

  /** Consume an exact keyword (`null`, `true`, `false`, `NaN`, `Infinity`). */
  literal(word: string): void {
    const b = this.buf;
    for (let i = 0; i < word.length; i++) {
      if (b[this.pos + i] !== word.charCodeAt(i)) this.fail(`invalid token (expected ${word})`);
    }
    this.pos += word.length;
  }

  /**
   * Read a JSON number or NaN / Infinity / -Infinity into the registers.
   * Returns false (cursor unmoved) if the next token is not a number.
   */
  readNumber(): boolean {
    return scanNumber(this);
  }

  /**
   * Read a string value. ASCII strings without escapes are interned (no allocation when
   * seen before); escapes and non-ASCII go through the strict decoders.
   */
  readString(what: string, maxBytes = STRING_MAX_BYTES): string {
    if (this.ws() !== Q) this.fail(`expected ${what} to be a string`);
    const b = this.buf;
    let p = this.pos + 1;
    const start = p;
    let h = 0;
    let simple = true;
    while (p < this.end) {
      const k = b[p]!;
      if (k === Q) break;
      if (k === BS) {
        simple = false;
        p += 2;
        continue;
      }
      if (k < 0x20) this.fail(`control character in ${what}`);
      if (k >= 0x80) simple = false;
      h = (Math.imul(h, 31) + k) | 0;
      p++;
    }
    if (p >= this.end) this.fail(`unterminated string in ${what}`);
    const len = p - start;
    if (len > maxBytes) this.fail(`${what} is ${len} bytes long, over the ${maxBytes}-byte limit for a string`);
    this.pos = p + 1;
    if (!simple) return this.slowString(start, p, what);
    const key = (h ^ Math.imul(len, 0x9e3779b1)) | 0;
    const hit = interned.get(key);
    if (hit !== undefined && hit.length === len) {
      let same = true;
      for (let i = 0; i < len; i++) {
        if (hit.charCodeAt(i) !== b[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return hit;
    }
    let s = "";
    for (let i = start; i < p; i++) s += String.fromCharCode(b[i]!);
    if (hit === undefined && len <= 64) {
      if (interned.size >= INTERN_MAX) interned.clear();
      interned.set(key, s);
    }
    return s;
  }

  private slowString(start: number, end: number, what: string): string {
    let text: string;
    try {
      text = utf8.decode(this.buf.subarray(start - 1, end + 1));
    } catch {
      return this.fail(`invalid UTF-8 in ${what}`);
    }
    let s: string;
    try {
      s = JSON.parse(text) as string;
    } catch {
      return this.fail(`invalid escape in ${what}`);
    }
    // JSON.parse keeps a lone surrogate escape (\ud800) as a code unit, which UTF-8 cannot
    // store: Parquet would get U+FFFD instead. Refused (quarantined), never silently replaced.
    if (!s.isWellFormed()) return this.fail(`lone surrogate escape in ${what} (not valid Unicode)`);
    return s;
  }

  /** True if the last key read equals `name` (verifies a hash match byte by byte). */
  keyIs(name: string): boolean {
    if (name.length !== this.keyLen) return false;
    const b = this.buf;
    for (let i = 0; i < name.length; i++) if (b[this.keyStart + i] !== name.charCodeAt(i)) return false;
    return true;
  }
}
