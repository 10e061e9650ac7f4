/**
 * `lake silver status` and `lake silver verify`: is a version still what its
 * Bronze inputs would produce? status re-hashes the recorded inputs (cheap, no pipeline);
 * verify rebuilds into a temp dir and compares every output.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { LakeError } from "../errors";
import { isNullAt, type Frame } from "../frame";
import { lineageOf, type BuildOptions, type SilverFeatureBuilder } from "./builder";
import { uniqueSuffix } from "../core/atomic-file";
import { LakeFiles } from "../read/lake-files";
import { bronzeTradeDates, dateLineage, type FileHashes, type InputFile } from "./lineage";

export interface VersionStatus {
  version: string;
  /** stale: some date's Bronze inputs changed; incomplete: Bronze has dates the version lacks */
  state: "fresh" | "stale" | "incomplete" | "unknown";
  detail: string;
  /** Bronze dates with futures trades that the version was never built over (`lake silver` adds them) */
  missing_dates: string[];
  /** dates whose recorded Bronze inputs changed (`lake silver --force` rebuilds them) */
  changed_dates: string[];
  dates: { date: string; state: "fresh" | "stale"; changed: string[] }[];
}

/**
 * `hashes` and `bronze` are shared across the versions of one status run: each Bronze file is
 * hashed once, and (under the caller's hold) each prefix listed once.
 */
export async function versionStatus(b: SilverFeatureBuilder, version: string, hashes: FileHashes = new Map(), bronze = new LakeFiles(b.bronze)): Promise<VersionStatus> {
  using _held = bronze.hold(); // this version's dates share warm-up listings
  const m = b.getManifest(version);
  if (!m) throw new LakeError(`Version ${version} not found`);
  const lin = lineageOf(m);
  if (!lin) return { version, state: "unknown", detail: "no lineage recorded (built by the predecessor or before lineage existed)", missing_dates: [], changed_dates: [], dates: [] };
  const recordedFiles = readRecordedFiles(b, version);
  // the warm-up span the build actually read (recorded effective config), else the manifest's
  const effective = m.parameters.custom?.effective_config as { session?: { smaWarmupDays?: number } } | undefined;
  const warm = effective?.session?.smaWarmupDays ?? m.parameters.SMA_WARMUP_DAYS ?? 3;
  const dates: VersionStatus["dates"] = [];
  for (const [date, recorded] of Object.entries(lin.bronze_inputs).sort()) {
    const now = await dateLineage(bronze, date, warm, hashes);
    if (now.inputs_sha256 === recorded) dates.push({ date, state: "fresh", changed: [] });
    else dates.push({ date, state: "stale", changed: diffFiles(recordedFiles.get(date) ?? [], now.files) });
  }
  const changed = dates.filter((d) => d.state === "stale").map((d) => d.date);
  const missing = (await bronzeTradeDates(bronze)).filter((d) => !(d in lin.bronze_inputs));
  const detail = [
    changed.length ? `Bronze inputs changed for ${listDates(changed)} (run 'lake silver --version ${version} --force')` : `inputs unchanged for ${dates.length} date(s)`,
    ...(missing.length ? [`missing ${missing.length} Bronze date(s): ${listDates(missing)} (run 'lake silver --version ${version}')`] : []),
  ].join("; ");
  return { version, state: changed.length ? "stale" : missing.length ? "incomplete" : "fresh", detail, missing_dates: missing, changed_dates: changed, dates };
}

function listDates(ds: string[]): string {
  return ds.length > 6 ? `${ds.slice(0, 3).join(", ")}, … ${ds[ds.length - 1]}` : ds.join(", ");
}

function readRecordedFiles(b: SilverFeatureBuilder, version: string): Map<string, InputFile[]> {
  const p = join(b.versionDir(version), "lineage.json");
  const out = new Map<string, InputFile[]>();
  if (!existsSync(p)) return out;
  try {
    const j = JSON.parse(readFileSync(p, "utf8")) as { dates?: { date: string; inputs?: { files?: InputFile[] } }[] };
    for (const d of j.dates ?? []) out.set(d.date, d.inputs?.files ?? []);
  } catch {
    /* detail only */
  }
  return out;
}

function diffFiles(before: InputFile[], after: InputFile[]): string[] {
  const a = new Map(before.map((f) => [f.key, f.sha256]));
  const b = new Map(after.map((f) => [f.key, f.sha256]));
  const out: string[] = [];
  for (const [k, h] of b) if (!a.has(k)) out.push(`added ${k}`);
  else if (a.get(k) !== h) out.push(`changed ${k}`);
  for (const k of a.keys()) if (!b.has(k)) out.push(`removed ${k}`);
  return before.length ? out : ["inputs hash changed"];
}

export interface VerifyResult {
  version: string;
  identical: boolean;
  dates: { date: string; identical: boolean; detail: string }[];
  errors: string[];
}

/** Rebuild the version with its recorded dates and variant into a temp dir; compare outputs. */
export async function verifyVersion(b: SilverFeatureBuilder, version: string, opts: BuildOptions = {}): Promise<VerifyResult> {
  const m = b.getManifest(version);
  if (!m) throw new LakeError(`Version ${version} not found`);
  const lin = lineageOf(m);
  if (!lin) throw new LakeError(`Version ${version} has no lineage (built by the predecessor?): nothing to verify against`);
  const tmp = join(b.featuresDir, ".staging", `${version}.verify-${uniqueSuffix()}`);
  try {
    const res = await b.buildInto(tmp, { ...m, validation: null }, lin.dates_requested, { ...opts, variant: lin.variant });
    const dates: VerifyResult["dates"] = [];
    const recordedDates = Object.keys(lin.outputs).sort();
    const rebuilt = new Map(res.dates.map((d) => [d.date, d]));
    for (const date of [...new Set([...recordedDates, ...rebuilt.keys()])].sort()) {
      const r = rebuilt.get(date);
      const want = lin.outputs[date];
      if (!r || !want) {
        dates.push({ date, identical: false, detail: !r ? "rebuild produced no file" : "original has no file for this date" });
        continue;
      }
      if (r.sha256 === want) {
        dates.push({ date, identical: true, detail: "byte-identical" });
        continue;
      }
      const [x, y] = await Promise.all([b.loadFeatures(version, [date]), loadDir(join(tmp, r.file!))]);
      const diff = compareFrames(x, y);
      dates.push({ date, identical: diff === null, detail: diff ?? "same data, different bytes" });
    }
    return { version, identical: res.errors.length === 0 && dates.every((d) => d.identical), dates, errors: res.errors };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function loadDir(file: string): Promise<Frame> {
  const { decodeParquet } = await import("../parquet");
  return decodeParquet(new Uint8Array(await Bun.file(file).arrayBuffer()));
}

/** null when equal; else a one-line description of the first difference. */
export function compareFrames(a: Frame, b: Frame): string | null {
  if (a.numRows !== b.numRows) return `row count ${a.numRows} vs ${b.numRows}`;
  if (a.columnNames.join() !== b.columnNames.join()) return "column lists differ";
  for (const ca of a.columns) {
    const cb = b.column(ca.name);
    if (ca.type !== cb.type) return `column ${ca.name}: type ${ca.type} vs ${cb.type}`;
    const va = ca.values as ArrayLike<unknown>;
    const vb = cb.values as ArrayLike<unknown>;
    for (let i = 0; i < a.numRows; i++) {
      const na = isNullAt(ca, i);
      const nb = isNullAt(cb, i);
      if (na !== nb) return `column ${ca.name}: null mismatch at row ${i}`;
      if (na) continue;
      const x = va[i];
      const y = vb[i];
      if (x === y || (typeof x === "number" && Number.isNaN(x) && Number.isNaN(y as number))) continue;
      if (x instanceof Int16Array && y instanceof Int16Array && x.join() === y.join()) continue;
      return `column ${ca.name}: row ${i} differs (${String(x)} vs ${String(y)})`;
    }
  }
  return null;
}
