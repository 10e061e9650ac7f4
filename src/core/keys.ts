/**
 * Object keys and partition paths. Every key any backend sees passes validateKey, and
 * every value that becomes a path segment (symbols, underlyings, dataset and version
 * names) passes safeSegment — so no input can address a path outside the lake
 * (contracts §9 D-9, §4.3).
 */
import { LakeError } from "../errors";
import { epochDayOf, NS_PER_DAY, NS_PER_HOUR } from "./time/calendar";

export class InvalidKeyError extends LakeError {
  constructor(message: string) {
    super(message, 2);
    this.name = "InvalidKeyError";
  }
}

const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A single path segment from user or wire data: `kind` names it in the error ("symbol", "version"…). */
export function safeSegment(kind: string, value: string): string {
  if (typeof value !== "string" || !SAFE_SEGMENT.test(value) || value.includes("..")) {
    throw new InvalidKeyError(
      `invalid ${kind} ${JSON.stringify(value)}: expected 1-128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  return value;
}

export function isSafeSegment(value: string): boolean {
  return SAFE_SEGMENT.test(value) && !value.includes("..");
}

/** A relative `/`-separated key with no empty, `.` or `..` segments, no NUL, no backslash. */
export function validateKey(key: string): string {
  if (typeof key !== "string" || key.length === 0) throw new InvalidKeyError("empty object key");
  if (key.length > 1024) throw new InvalidKeyError(`object key longer than 1024 characters: ${key.slice(0, 60)}…`);
  if (key.includes("\0")) throw new InvalidKeyError(`object key contains NUL: ${JSON.stringify(key)}`);
  if (key.includes("\\")) throw new InvalidKeyError(`object key contains a backslash: ${JSON.stringify(key)}`);
  if (key.startsWith("/")) throw new InvalidKeyError(`object key must be relative to the lake root: ${JSON.stringify(key)}`);
  for (const seg of key.split("/")) {
    if (seg === "" || seg === "." || seg === "..") {
      throw new InvalidKeyError(`object key has an empty, '.' or '..' segment: ${JSON.stringify(key)}`);
    }
  }
  return key;
}

/** A key prefix for listing: like validateKey, but "" (everything) and a trailing "/" are allowed. */
export function validatePrefix(prefix: string): string {
  if (prefix === "") return prefix;
  validateKey(prefix.endsWith("/") ? prefix.slice(0, -1) : prefix);
  return prefix;
}

/**
 * UTC date and zero-padded hour of a ns timestamp, by integer arithmetic (contracts §2.1:
 * the reference's float division misplaces events near hour boundaries).
 */
export function utcDateHour(tsNs: bigint): { date: string; hour: string } {
  let day = tsNs / NS_PER_DAY;
  let rem = tsNs % NS_PER_DAY;
  if (rem < 0n) {
    rem += NS_PER_DAY;
    day -= 1n;
  }
  const d = new Date(Number(day) * 86_400_000);
  const date = `${d.getUTCFullYear().toString().padStart(4, "0")}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  return { date, hour: pad2(Number(rem / NS_PER_HOUR)) };
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `YYYY-MM-DD` that is a real calendar date. */
export function isValidDate(s: string): boolean {
  return epochDayOf(s) !== null;
}

export function validateDate(s: string, what = "date"): string {
  if (!isValidDate(s)) throw new InvalidKeyError(`invalid ${what} ${JSON.stringify(s)}: expected YYYY-MM-DD`);
  return s;
}

/** `{base}/{keyName}={keyValue}/date={date}/hour={hour}` with every segment validated. */
export function partitionDir(base: string, keyName: string, keyValue: string, date: string, hour: string): string {
  validateKey(base);
  safeSegment(keyName, keyName);
  safeSegment(keyName, keyValue);
  validateDate(date);
  if (!/^([01]\d|2[0-3])$/.test(hour)) throw new InvalidKeyError(`invalid hour ${JSON.stringify(hour)}: expected 00-23`);
  return `${base}/${keyName}=${keyValue}/date=${date}/hour=${hour}`;
}

