/**
 * Everything `lake report --date D` draws, gathered from the lake: the front month's
 * 1-minute bars and volume, the Silver events of the day (with their levels and outcomes),
 * feature distributions, label mix per horizon, the Bronze data-quality table and, for Gold
 * datasets holding the day, their validation checks.
 */
import { existsSync } from "node:fs";
import type { Config } from "../../config";
import type { Frame } from "../../frame";
import { isNullAt } from "../../frame";
import { GoldCurator } from "../../gold/curator";
import { validateDataset } from "../../gold/validate";
import { bronzeStats, type BronzeDayStats } from "../../read/bronze-stats";
import { duckQuery } from "../../read/duck";
import { ContractSelector } from "../../read/futures-contracts";
import { LakeFiles } from "../../read/lake-files";
import { READ_OPTS } from "../../read/scan";
import { SilverFeatureBuilder } from "../../silver/builder";
import { FEATURE_COLUMNS, SILVER_FEATURES } from "../../schemas/silver";

const FEATURES = new Set<string>(FEATURE_COLUMNS as readonly string[]);

export interface Bar { t: number; o: number; h: number; l: number; c: number; v: number }
export interface ReportEvent { id: string; t: number; price: number; kind: string; direction: string; outcome: string }
export interface Histogram { column: string; min: number; max: number; counts: number[]; nulls: number }
export interface Categories { column: string; counts: [string, number][] }

export interface DayReport {
  date: string;
  version: string | null;
  frontMonth: string | null;
  bars: Bar[];
  levels: { kind: string; price: number }[];
  events: ReportEvent[];
  histograms: Histogram[];
  categories: Categories[];
  labelMix: Categories[];
  quality: BronzeDayStats[];
  gold: { dataset: string; ok: boolean; checks: { name: string; pass: boolean; detail: string }[] }[];
  notes: string[];
}

const HIST_BINS = 20;

export async function collectDay(cfg: Config, localRoot: string | null, date: string, version: string): Promise<DayReport> {
  const notes: string[] = [];
  const files = new LakeFiles(cfg);
  using _held = files.hold();
  let frontMonth: string | null = null;
  try {
    frontMonth = (await new ContractSelector(files, { rthOnly: true }).selectFrontMonth(date)).frontMonthSymbol || null;
  } catch (e) {
    notes.push(`front month: ${(e as Error).message}`);
  }
  const bars = frontMonth ? await minuteBars(files, date, frontMonth) : [];
  const silver = localRoot ? new SilverFeatureBuilder(localRoot) : null;
  const hasVersion = silver !== null && existsSync(silver.versionDir(version));
  if (!hasVersion) notes.push(`no Silver version ${version}: events, distributions and labels are empty`);
  const frame = hasVersion ? await silver!.loadFeatures(version, [date]) : null;
  const gold = localRoot && hasVersion ? await goldChecks(localRoot, date) : [];
  return {
    date,
    version: hasVersion ? version : null,
    frontMonth,
    bars,
    levels: frame ? levelsOf(frame) : [],
    events: frame ? eventsOf(frame) : [],
    histograms: frame ? histograms(frame) : [],
    categories: frame ? categories(frame, SILVER_FEATURES.columns.filter((c) => c.type === "utf8" && FEATURES.has(c.name)).map((c) => c.name)) : [],
    labelMix: frame ? categories(frame, frame.columnNames.filter((n) => n === "outcome" || /^outcome_\d+min$/.test(n))) : [],
    quality: await bronzeStats(cfg, [date]),
    gold,
    notes,
  };
}

async function minuteBars(files: LakeFiles, date: string, symbol: string): Promise<Bar[]> {
  const list = await files.listParquet(`bronze/futures/trades/symbol=ES/date=${date}/`);
  if (!list.length) return [];
  const paths = await files.localPaths(list);
  const f = await duckQuery(
    `select (ts_event_ns // 60000000000) * 60 as t, arg_min(price, ts_event_ns) o, max(price) h, min(price) l, arg_max(price, ts_event_ns) c, sum(size)::double v
     from read_parquet($files, ${READ_OPTS}) where symbol = $symbol group by 1 order by 1`,
    { files: paths, symbol },
  );
  const col = (n: string) => f.column(n).values as ArrayLike<number | bigint>;
  const [t, o, h, l, c, v] = ["t", "o", "h", "l", "c", "v"].map(col);
  return Array.from({ length: f.numRows }, (_, i) => ({ t: Number(t![i]), o: Number(o![i]), h: Number(h![i]), l: Number(l![i]), c: Number(c![i]), v: Number(v![i]) }));
}

function str(f: Frame, name: string, i: number): string {
  if (!f.has(name)) return "";
  const c = f.column(name);
  return isNullAt(c, i) ? "" : String((c.values as ArrayLike<unknown>)[i]);
}

function levelsOf(f: Frame): { kind: string; price: number }[] {
  const seen = new Map<string, { kind: string; price: number }>();
  for (let i = 0; i < f.numRows; i++) {
    const kind = str(f, "level_kind_name", i);
    const price = Number(str(f, "level_price", i));
    if (Number.isFinite(price)) seen.set(`${kind}@${price}`, { kind, price });
  }
  return [...seen.values()].sort((a, b) => a.price - b.price);
}

function eventsOf(f: Frame): ReportEvent[] {
  const out: ReportEvent[] = [];
  for (let i = 0; i < f.numRows; i++) {
    out.push({
      id: str(f, "event_id", i),
      t: Number(BigInt(str(f, "ts_ns", i) || "0") / 1_000_000_000n),
      price: Number(str(f, "entry_price", i) || str(f, "level_price", i)),
      kind: str(f, "level_kind_name", i),
      direction: str(f, "direction", i),
      outcome: str(f, "outcome", i) || "UNKNOWN",
    });
  }
  return out;
}

const NUMERIC = new Set(["float64", "int8", "int16", "int32", "int64"]);

function histograms(f: Frame): Histogram[] {
  const out: Histogram[] = [];
  for (const c of f.columns) {
    if (!NUMERIC.has(c.type) || !FEATURES.has(c.name)) continue;
    const vals: number[] = [];
    let nulls = 0;
    for (let i = 0; i < f.numRows; i++) {
      const x = isNullAt(c, i) ? NaN : Number((c.values as ArrayLike<number | bigint>)[i]);
      if (Number.isFinite(x)) vals.push(x);
      else nulls++;
    }
    let min = Infinity;
    let max = -Infinity;
    for (const x of vals) (min = Math.min(min, x)), (max = Math.max(max, x));
    const counts = new Array(HIST_BINS).fill(0);
    for (const x of vals) counts[max > min ? Math.min(HIST_BINS - 1, Math.floor(((x - min) / (max - min)) * HIST_BINS)) : 0]++;
    out.push({ column: c.name, min: vals.length ? min : 0, max: vals.length ? max : 0, counts, nulls });
  }
  return out;
}

function categories(f: Frame, names: string[]): Categories[] {
  return names.filter((n) => f.has(n)).map((n) => {
    const m = new Map<string, number>();
    for (let i = 0; i < f.numRows; i++) {
      const v = str(f, n, i) || "(null)";
      m.set(v, (m.get(v) ?? 0) + 1);
    }
    return { column: n, counts: [...m.entries()].sort((a, b) => b[1] - a[1]) };
  });
}

async function goldChecks(root: string, date: string): Promise<DayReport["gold"]> {
  const curator = new GoldCurator(root);
  const out: DayReport["gold"] = [];
  for (const d of curator.listTrainingDatasets()) {
    const dates: string[] = curator.getDatasetMetadata(d.name)?.lineage?.dates ?? [];
    if (!dates.includes(date)) continue;
    const r = await validateDataset(curator, d.name);
    out.push({ dataset: d.name, ok: r.ok, checks: r.checks.map((c) => ({ name: c.name, pass: c.pass, detail: c.detail })) });
  }
  return out;
}
