/**
 * Key dispatch for the decoders: key bytes → field number through the cursor's rolling
 * hash, verified byte by byte (a hash collision can never write the wrong column).
 */
import { JsonCursor, DecodeError } from "./cursor";
import { TS_MAX_NS, TS_MIN_NS } from "../../../schemas/bronze";

export type FieldLookup = (cur: JsonCursor) => number;

export function fieldLookup(names: readonly string[]): FieldLookup {
  const byHash = new Map<number, number>();
  names.forEach((n, i) => byHash.set(keyHash(n), i));
  return (cur) => {
    const i = byHash.get(cur.keyHash);
    return i !== undefined && cur.keyIs(names[i]!) ? i : -1;
  };
}

const TS_MIN_S = Number(TS_MIN_NS / 1_000_000_000n);
const TS_MAX_S = Number(TS_MAX_NS / 1_000_000_000n);

/** §2.2 sanity range 2000-01-01 ≤ ts ≤ 2100-01-01, checked on the exact (hi = second, lo = ns) split. */
export function checkTsRange(cur: JsonCursor, what: string): void {
  if (cur.neg || cur.hi < TS_MIN_S || cur.hi > TS_MAX_S || (cur.hi === TS_MAX_S && cur.lo > 0)) {
    const v = (cur.neg ? "-" : "") + String(cur.hi) + String(cur.lo).padStart(9, "0");
    throw new DecodeError(`${what} ${v} is outside 2000-01-01..2100-01-01`);
  }
}

/** §2 sanity: an event more than a day after it was received is a bad clock or a bad message (it would open a far-future partition). */
export function checkNotFuture(cur: JsonCursor, eventSec: number, what: string): void {
  if (eventSec > cur.maxEventSec) {
    throw new DecodeError(`${what} (${new Date(eventSec * 1000).toISOString()}) is more than 1 day after the time it was received (${new Date((cur.maxEventSec - 86_400) * 1000).toISOString()})`);
  }
}

export const SOURCES: ReadonlySet<string> = new Set(["direct_feed", "replay", "sim"]);

export function checkSource(s: string): string {
  if (!SOURCES.has(s)) throw new DecodeError(`source ${JSON.stringify(s)} is not one of direct_feed, replay, sim`);
  return s;
}

export function missing(names: readonly string[], seen: number, required: number): never {
  const miss = names.filter((_, i) => (required & (1 << i)) !== 0 && (seen & (1 << i)) === 0);
  throw new DecodeError(`missing required field${miss.length > 1 ? "s" : ""} ${miss.join(", ")}`);
}

/** Hash of a key name, equal to what JsonCursor.nextKey() computes for it. */
export function keyHash(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) | 0;
  return h;
}
