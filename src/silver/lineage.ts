/**
 * Lineage of a Silver version (issue 8 §2): which exact Bronze files each date was built
 * from, hashed by content, so `lake silver status` can tell when Bronze changed under a
 * version and `lake silver verify` can prove a rebuild is identical.
 *
 * Inputs of date D (es-pipeline §1.1, §5.3): every file of D in futures/trades, futures/mbp10
 * and options/trades, plus futures/trades of the up-to-SMA_WARMUP_DAYS weekday dates just
 * before D (warm-up; only when D itself has trades).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { warmupDates as selectWarmupDates } from "./pipeline/warmup";

export const INPUT_TABLES = [
  { path: "bronze/futures/trades/symbol=ES", role: "trades" },
  { path: "bronze/futures/mbp10/symbol=ES", role: "mbp10" },
  { path: "bronze/options/trades/underlying=ES", role: "options" },
] as const;

export interface InputFile {
  key: string; // relative to the lake root
  size: number;
  sha256: string;
}

export interface DateLineage {
  date: string;
  warmup_dates: string[];
  files: InputFile[];
  /** sha256 over `key\tsize\tsha256\n` of every input file in key order */
  inputs_sha256: string;
}

function dateDirs(root: string, tableDir: string): string[] {
  const dir = join(root, tableDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^date=\d{4}-\d{2}-\d{2}$/.test(e.name))
    .map((e) => e.name.slice(5))
    .sort();
}

/** Bronze dates that have futures trades — the default date list of `lake silver`. */
export function bronzeTradeDates(root: string): string[] {
  return dateDirs(root, INPUT_TABLES[0].path).filter((d) => listParquet(root, `${INPUT_TABLES[0].path}/date=${d}`).length > 0);
}

/**
 * es-pipeline §5.3 step 2: up to N weekday trade dates just before D, if D has trades — the
 * pipeline's own selection (src/silver/pipeline/warmup.ts) over the same listing it reads
 * (dates holding futures trades files), so lineage hashes exactly the Bronze files a build read.
 */
export function warmupDates(root: string, date: string, days = 3): string[] {
  return selectWarmupDates(bronzeTradeDates(root), date, days);
}

/** Every `*.parquet` under a directory (recursive), keys relative to root, sorted. */
export function listParquet(root: string, rel: string): string[] {
  const out: string[] = [];
  const walk = (r: string) => {
    const abs = join(root, r);
    if (!existsSync(abs)) return;
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      if (e.isDirectory()) walk(`${r}/${e.name}`);
      else if (e.isFile() && e.name.endsWith(".parquet")) out.push(`${r}/${e.name}`);
    }
  };
  walk(rel);
  return out.sort();
}

export async function sha256File(path: string): Promise<string> {
  const h = new Bun.CryptoHasher("sha256");
  const stream = Bun.file(path).stream();
  for await (const chunk of stream) h.update(chunk);
  return h.digest("hex");
}

export function sha256Bytes(data: Uint8Array | string): string {
  return new Bun.CryptoHasher("sha256").update(data).digest("hex");
}

/** sha256 per absolute path, shared by the dateLineage calls of one run (status over many versions). */
export type FileHashes = Map<string, Promise<string>>;

/**
 * `hashes` memoises file hashes across calls: adjacent dates share warm-up trade files.
 * Only for one read-only pass (status) — a build hashes afresh so it sees Bronze as it is.
 */
export async function dateLineage(root: string, date: string, warmupDays = 3, hashes?: FileHashes): Promise<DateLineage> {
  const warm = warmupDates(root, date, warmupDays);
  const keys = [
    ...INPUT_TABLES.flatMap((t) => listParquet(root, `${t.path}/date=${date}`)),
    ...warm.flatMap((d) => listParquet(root, `${INPUT_TABLES[0].path}/date=${d}`)),
  ].sort();
  const files: InputFile[] = [];
  for (const key of keys) {
    const abs = join(root, key);
    let sha = hashes?.get(abs);
    if (!sha) {
      sha = sha256File(abs);
      hashes?.set(abs, sha);
    }
    files.push({ key, size: statSync(abs).size, sha256: await sha });
  }
  const inputs_sha256 = sha256Bytes(files.map((f) => `${f.key}\t${f.size}\t${f.sha256}\n`).join(""));
  return { date, warmup_dates: warm, files, inputs_sha256 };
}
