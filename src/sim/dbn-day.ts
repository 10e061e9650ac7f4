/**
 * A simulated day as Databento would deliver it (`lake simulate --to dbn`): three DBN v3
 * zstd files per date in GLBX.MDP3 shape — trades (futures and option trades), MBP-10
 * (futures), and instrument definitions (futures outrights, and the options with strike,
 * right, expiry and underlying). Instrument ids are a stable hash of the symbol, so the same
 * contract has the same id on every day and in every file.
 */
import { join } from "node:path";
import type { Frame } from "../frame";
import type { SimDay } from "./day";
import { SCHEMA_ID, STYPE, RTYPE } from "../dbn/constants";
import { DEF_V3 } from "../dbn/layouts";
import { DbnFileWriter, type HeaderInput } from "../dbn/encode";

export interface DbnDayFiles {
  trades: string;
  mbp10: string;
  definitions: string;
}

/** FNV-1a of the symbol, in 1..2^31−1 (never 0). */
export function instrumentIdOf(symbol: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i++) h = Math.imul(h ^ symbol.charCodeAt(i), 0x01000193);
  return ((h >>> 1) % 0x7ffffffe) + 1;
}

function idsFor(frame: Frame, column: string, registry: Map<string, number>): Uint32Array {
  const syms = frame.values<(string | null)[]>(column);
  const ids = new Uint32Array(frame.numRows);
  let last = "", lastId = 0;
  for (let r = 0; r < syms.length; r++) {
    const s = syms[r]!;
    if (s !== last) {
      last = s;
      lastId = instrumentIdOf(s);
      const prior = registry.get(s);
      if (prior === undefined) {
        for (const [other, id] of registry) if (id === lastId) throw new Error(`instrument id collision: ${s} and ${other}`);
        registry.set(s, lastId);
      }
    }
    ids[r] = lastId;
  }
  return ids;
}

function yyyymmdd(date: string): number {
  return Number(date.replaceAll("-", ""));
}

function header(date: string, schema: number, symbols: Map<string, number>): HeaderInput {
  const start = BigInt(Date.parse(`${date}T00:00:00Z`)) * 1_000_000n;
  const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const names = [...symbols.keys()].sort();
  return {
    dataset: "GLBX.MDP3", schema, start, end: start + 86_400_000_000_000n, limit: 0n,
    stypeIn: STYPE.raw_symbol, stypeOut: STYPE.instrument_id, tsOut: false,
    symbols: names, partial: [], notFound: [],
    mappings: names.map((s) => ({ rawSymbol: s, intervals: [{ startDate: yyyymmdd(date), endDate: yyyymmdd(next), symbol: String(symbols.get(s)) }] })),
  };
}

export async function writeDbnDay(dir: string, day: Pick<SimDay, "date" | "trades" | "mbp10" | "options">): Promise<DbnDayFiles> {
  const stem = join(dir, `glbx-mdp3-${day.date.replaceAll("-", "")}`);
  const files = { trades: `${stem}.trades.dbn.zst`, mbp10: `${stem}.mbp-10.dbn.zst`, definitions: `${stem}.definition.dbn.zst` };
  const futures = new Map<string, number>(), options = new Map<string, number>();
  const futIds = idsFor(day.trades, "symbol", futures);
  const mbpIds = idsFor(day.mbp10, "symbol", futures);
  const optIds = idsFor(day.options, "option_symbol", options);

  const mbp = new DbnFileWriter(files.mbp10, header(day.date, SCHEMA_ID["mbp-10"], futures));
  mbp.writeMbp10(day.mbp10, mbpIds);
  await mbp.close();

  // trades: futures and option prints merged in (ts_event, seq) order, as one feed would deliver them
  const tw = new DbnFileWriter(files.trades, header(day.date, SCHEMA_ID.trades, new Map([...futures, ...options])));
  writeMergedTrades(tw, day.trades, futIds, day.options, optIds);
  await tw.close();

  const dw = new DbnFileWriter(files.definitions, header(day.date, SCHEMA_ID.definition, new Map([...futures, ...options])));
  const ts = BigInt(Date.parse(`${day.date}T00:00:00Z`)) * 1_000_000n;
  for (const [sym, id] of [...futures].sort()) {
    dw.writeRecord(DEF_V3, RTYPE.INSTRUMENT_DEF, { instrument_id: id, ts_event: ts, ts_recv: ts, raw_symbol: sym, asset: "ES", exchange: "XCME", security_type: "FUT", instrument_class: "F", min_price_increment: 250_000_000n, display_factor: 1_000_000_000n, currency: "USD", security_update_action: "A", strike_price: 0x7fffffffffffffffn, expiration: 0xffffffffffffffffn, activation: 0xffffffffffffffffn });
  }
  const exp = day.options.values<Int32Array>("exp_date"), strike = day.options.values<Float64Array>("strike");
  const right = day.options.values<string[]>("right"), osym = day.options.values<string[]>("option_symbol");
  const seen = new Set<string>();
  for (let r = 0; r < day.options.numRows; r++) {
    const sym = osym[r]!;
    if (seen.has(sym)) continue;
    seen.add(sym);
    dw.writeRecord(DEF_V3, RTYPE.INSTRUMENT_DEF, {
      instrument_id: options.get(sym)!, ts_event: ts, ts_recv: ts, raw_symbol: sym, asset: sym.split(" ")[0]!, underlying: "ES", exchange: "XCME",
      security_type: "OOF", instrument_class: right[r]!, strike_price: BigInt(Math.round(strike[r]! * 1e9)), expiration: BigInt(exp[r]!) * 86_400_000_000_000n + 75_600_000_000_000n,
      min_price_increment: 50_000_000n, currency: "USD", security_update_action: "A", activation: 0xffffffffffffffffn,
    });
  }
  await dw.close();
  return files;
}

function writeMergedTrades(w: DbnFileWriter, fut: Frame, futIds: Uint32Array, opt: Frame, optIds: Uint32Array): void {
  const a = fut.values<BigInt64Array>("ts_event_ns"), b = opt.values<BigInt64Array>("ts_event_ns");
  let i = 0, j = 0;
  const n = fut.numRows, m = opt.numRows;
  while (i < n || j < m) {
    // runs of one side at a time keep the columnar writer's batches long
    if (j >= m || (i < n && a[i]! <= b[j]!)) {
      const from = i;
      const limit = j < m ? b[j]! : null;
      while (i < n && (limit === null || a[i]! <= limit)) i++;
      w.writeTrades(fut.slice(from, i), futIds.subarray(from, i));
    } else {
      const from = j;
      const limit = i < n ? a[i]! : null;
      while (j < m && (limit === null || b[j]! < limit)) j++;
      w.writeTrades(opt.slice(from, j), optIds.subarray(from, j));
    }
  }
}
