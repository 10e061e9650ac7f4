/**
 * instrument_id → raw symbol (e.g. 5482 → "ESH1") per date range, from three sources in
 * order of authority: instrument definitions (raw_symbol), symbol mapping records
 * (stype_out_symbol over [start_ts, end_ts)), and the metadata's symbology mappings when
 * the request was made by raw symbol (raw_symbol → instrument id per date interval).
 * Resolution is by the UTC day of ts_event (mappings are daily); the last answer is cached
 * per instrument so a stream of one contract resolves in a compare.
 */
import { STYPE } from "./constants";
import type { RecordValues } from "./layouts";
import type { DbnMetadata } from "./metadata";

interface Span {
  fromDay: number; // inclusive, epoch day
  toDay: number; // exclusive
  symbol: string;
  authority: number;
}

export interface OptionDefinition {
  rawSymbol: string;
  right: "C" | "P";
  /** Fixed-point strike (1e-9). */
  strike: bigint;
  /** Expiration, ns since epoch. */
  expiration: bigint;
  /** Underlying symbol (e.g. ESH6) or product code. */
  underlying: string;
  asset: string;
}

const DAY_MS = 86_400_000;
const NS_PER_DAY = 86_400e9;

/** YYYYMMDD → epoch day. */
export function yyyymmddToDay(v: number): number {
  const y = Math.floor(v / 10000), m = Math.floor(v / 100) % 100, d = v % 100;
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

function nsToDay(ns: bigint): number {
  return Number(ns / 86_400_000_000_000n);
}

export class Symbology {
  private byId = new Map<number, Span[]>();
  readonly options = new Map<number, OptionDefinition>();
  private cacheId = -1;
  private cacheFrom = 0;
  private cacheTo = 0;
  private cacheSym: string | null = null;

  addMetadata(m: DbnMetadata): void {
    if (m.stypeOut !== STYPE.instrument_id || m.stypeIn !== STYPE.raw_symbol) return;
    for (const mp of m.mappings) {
      for (const iv of mp.intervals) {
        const id = Number(iv.symbol);
        if (!Number.isInteger(id) || iv.symbol === "") continue;
        this.add(id, { fromDay: yyyymmddToDay(iv.startDate), toDay: yyyymmddToDay(iv.endDate), symbol: mp.rawSymbol, authority: 1 });
      }
    }
  }

  addSymbolMapping(r: RecordValues): void {
    const sym = String(r.stype_out_symbol ?? "");
    if (!sym || /^\d+$/.test(sym)) return;
    const from = r.start_ts as bigint, to = r.end_ts as bigint;
    const toDay = to >= 0xffff_ffff_ffff_fff0n ? Number.MAX_SAFE_INTEGER : nsToDay(to) + 1;
    this.add(r.instrument_id as number, { fromDay: nsToDay(from), toDay, symbol: sym, authority: 2 });
  }

  addDefinition(d: RecordValues): void {
    const id = d.instrument_id as number;
    const raw = String(d.raw_symbol ?? "");
    if (!raw) return;
    this.add(id, { fromDay: -1e9, toDay: 1e9, symbol: raw, authority: 3 });
    const cls = d.instrument_class;
    if (cls === "C" || cls === "P") {
      this.options.set(id, {
        rawSymbol: raw,
        right: cls,
        strike: d.strike_price as bigint,
        expiration: d.expiration as bigint,
        underlying: String(d.underlying ?? ""),
        asset: String(d.asset ?? ""),
      });
    }
  }

  private add(id: number, s: Span): void {
    let list = this.byId.get(id);
    if (!list) this.byId.set(id, (list = []));
    list.push(s);
    list.sort((a, b) => b.authority - a.authority);
    this.cacheId = -1;
  }

  /** Raw symbol of `id` on the UTC day of `tsApproxNs` (a float is precise enough for a day). */
  resolve(id: number, tsApproxNs: number): string | null {
    const day = Math.floor(tsApproxNs / NS_PER_DAY);
    if (id === this.cacheId && day >= this.cacheFrom && day < this.cacheTo) return this.cacheSym;
    const list = this.byId.get(id);
    let hit: Span | null = null;
    if (list) for (const s of list) if (day >= s.fromDay && day < s.toDay) { hit = s; break; }
    this.cacheId = id;
    this.cacheFrom = hit ? hit.fromDay : day;
    this.cacheTo = hit ? hit.toDay : day + 1;
    this.cacheSym = hit ? hit.symbol : null;
    return this.cacheSym;
  }

  get size(): number {
    return this.byId.size;
  }
}
