/**
 * Data comparison of two built Silver versions (`lake silver compare A B`): events matched on
 * (ts_ns, level_kind_name, direction) — ids can differ between variants because a corrected
 * SMA level has another price — then, per common column, how many matched rows changed and by
 * how much; label distributions of both; and the unmatched events of each side, by reason.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { cellValue, concatFrames, type Frame } from "../frame";
import { decodeParquet } from "../parquet";
import { etInstantNs } from "../core/time/session";

export interface ColumnDiff {
  column: string;
  rows_compared: number;
  rows_changed: number;
  /** over changed numeric rows; null for text/bool columns or when nothing changed */
  max_abs_change: number | null;
  mean_abs_change: number | null;
}

export interface UnmatchedEvents {
  count: number;
  reasons: Record<string, number>;
  examples: string[];
}

export interface DataComparison {
  dates: string[];
  dates_only_a: string[];
  dates_only_b: string[];
  events_a: number;
  events_b: number;
  matched: number;
  only_a: UnmatchedEvents;
  only_b: UnmatchedEvents;
  columns: ColumnDiff[];
  /** value counts of the outcome label columns in each version */
  labels: { column: string; a: Record<string, number>; b: Record<string, number> }[];
}

const LABEL_DISTRIBUTIONS = ["outcome", "outcome_2min", "outcome_8min"];
const REL_TOL = 1e-9;

function datesOf(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((d) => d.startsWith("date=")).map((d) => d.slice(5)).sort();
}

async function readDate(dir: string, date: string): Promise<Frame> {
  const d = join(dir, `date=${date}`);
  const files = readdirSync(d).filter((f) => f.endsWith(".parquet")).sort();
  const frames = await Promise.all(files.map(async (f) => decodeParquet(new Uint8Array(await Bun.file(join(d, f)).arrayBuffer()))));
  return frames.length === 1 ? frames[0]! : concatFrames(frames);
}

const keyOf = (f: Frame, i: number) => `${f.values<BigInt64Array>("ts_ns")[i]}|${f.values<string[]>("level_kind_name")[i]}|${f.values<string[]>("direction")[i]}`;

/** Why an event exists in one version only (the D-items of es-pipeline §15 that explain it). */
function reasonOf(f: Frame, i: number, date: string, side: "a" | "b"): string {
  const kind = f.values<string[]>("level_kind_name")[i]!;
  const ts = f.values<BigInt64Array>("ts_ns")[i]!;
  if (kind.startsWith("OR_") && ts < etInstantNs(date, 9 * 60 + 45)) return "OR event before 09:45 ET, range incomplete (D-3)";
  if (kind.startsWith("SMA_")) return side === "a" ? "SMA level: end-of-day value vs per-bar causal level (D-3)" : "SMA level: per-bar causal level (D-3)";
  return "other level: entry bar differs (front-month bars D-10, level set D-3)";
}

export async function compareVersionData(dirA: string, dirB: string): Promise<DataComparison> {
  const da = datesOf(dirA);
  const db = datesOf(dirB);
  const dates = da.filter((d) => db.includes(d));
  const out: DataComparison = {
    dates,
    dates_only_a: da.filter((d) => !db.includes(d)),
    dates_only_b: db.filter((d) => !da.includes(d)),
    events_a: 0,
    events_b: 0,
    matched: 0,
    only_a: { count: 0, reasons: {}, examples: [] },
    only_b: { count: 0, reasons: {}, examples: [] },
    columns: [],
    labels: LABEL_DISTRIBUTIONS.map((column) => ({ column, a: {}, b: {} })),
  };
  const acc = new Map<string, { compared: number; changed: number; maxAbs: number; sumAbs: number; numeric: number }>();
  const unmatched = (u: UnmatchedEvents, f: Frame, i: number, date: string, side: "a" | "b") => {
    u.count++;
    const r = reasonOf(f, i, date, side);
    u.reasons[r] = (u.reasons[r] ?? 0) + 1;
    if (u.examples.length < 3) u.examples.push(f.values<string[]>("event_id")[i]!);
  };
  for (const date of dates) {
    const [a, b] = await Promise.all([readDate(dirA, date), readDate(dirB, date)]);
    out.events_a += a.numRows;
    out.events_b += b.numRows;
    for (const l of out.labels) {
      for (const [f, side] of [[a, l.a], [b, l.b]] as const) {
        if (!f.has(l.column)) continue;
        for (const v of f.values<string[]>(l.column)) side[String(v)] = (side[String(v)] ?? 0) + 1;
      }
    }
    const rowB = new Map<string, number>();
    for (let j = 0; j < b.numRows; j++) rowB.set(keyOf(b, j), j);
    const seenB = new Set<number>();
    const common = a.columnNames.filter((c) => b.has(c));
    for (let i = 0; i < a.numRows; i++) {
      const j = rowB.get(keyOf(a, i));
      if (j === undefined) {
        unmatched(out.only_a, a, i, date, "a");
        continue;
      }
      seenB.add(j);
      out.matched++;
      for (const c of common) {
        let s = acc.get(c);
        if (!s) acc.set(c, (s = { compared: 0, changed: 0, maxAbs: 0, sumAbs: 0, numeric: 0 }));
        s.compared++;
        const x = cellValue(a.column(c), i);
        const y = cellValue(b.column(c), j);
        if (x === y) continue;
        if (typeof x === "number" && typeof y === "number") {
          const d = Math.abs(x - y);
          if (d <= REL_TOL * Math.max(Math.abs(x), Math.abs(y)) || (Number.isNaN(x) && Number.isNaN(y))) continue;
          s.maxAbs = Math.max(s.maxAbs, d);
          s.sumAbs += d;
          s.numeric++;
        } else if (typeof x === "bigint" && typeof y === "bigint") {
          const d = Math.abs(Number(x - y));
          s.maxAbs = Math.max(s.maxAbs, d);
          s.sumAbs += d;
          s.numeric++;
        }
        s.changed++;
      }
    }
    for (let j = 0; j < b.numRows; j++) if (!seenB.has(j)) unmatched(out.only_b, b, j, date, "b");
  }
  out.columns = [...acc].map(([column, s]) => ({
    column,
    rows_compared: s.compared,
    rows_changed: s.changed,
    max_abs_change: s.numeric ? s.maxAbs : null,
    mean_abs_change: s.numeric ? s.sumAbs / s.numeric : null,
  }));
  return out;
}
