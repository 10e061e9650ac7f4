/** Minimal leveled logger to stderr; stdout is reserved for command output (tables, JSON). */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type Level = (typeof LOG_LEVELS)[number];
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold: number = RANK[(process.env.LAKE_LOG_LEVEL as Level) ?? "info"] ?? RANK.info;

export const LOG_FORMATS = ["text", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
// worker threads read the environment the main thread set (run.ts)
let format: LogFormat = process.env.LAKE_LOG_FORMAT === "json" ? "json" : "text";
let quiet = process.env.LAKE_QUIET === "1";

export function setLogLevel(level: Level): void {
  threshold = RANK[level];
}

/** --log-format json: one JSON object per line ({ts, level, msg, ...fields}) for log shippers. */
export function setLogFormat(f: LogFormat): void {
  format = f;
}

/** --quiet: no progress lines (warnings and errors still print). */
export function setQuiet(q: boolean): void {
  quiet = q;
}

/** Progress for a human watching (build/replay/simulate/demo lines on stderr), unless --quiet. */
export function progress(line: string): void {
  if (quiet) return;
  if (format === "json") process.stderr.write(JSON.stringify({ ts: new Date().toISOString(), level: "progress", msg: line.trim() }) + "\n");
  else process.stderr.write(line.endsWith("\n") ? line : line + "\n");
}

export function isQuiet(): boolean {
  return quiet;
}

function emit(level: Level, msg: string, fields?: Record<string, unknown>): void {
  if (RANK[level] < threshold) return;
  if (quiet && RANK[level] < RANK.warn) return;
  if (format === "json") {
    process.stderr.write(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields }, bigintSafe) + "\n");
    return;
  }
  const extra = fields && Object.keys(fields).length ? " " + Object.entries(fields).map(([k, v]) => `${k}=${fmt(v)}`).join(" ") : "";
  process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}${extra}\n`);
}

function fmt(v: unknown): string {
  if (typeof v === "string") return /\s/.test(v) ? JSON.stringify(v) : v;
  return typeof v === "bigint" ? v.toString() : JSON.stringify(v, bigintSafe);
}

export function bigintSafe(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? v.toString() : v;
}

export const log = {
  debug: (m: string, f?: Record<string, unknown>) => emit("debug", m, f),
  info: (m: string, f?: Record<string, unknown>) => emit("info", m, f),
  warn: (m: string, f?: Record<string, unknown>) => emit("warn", m, f),
  error: (m: string, f?: Record<string, unknown>) => emit("error", m, f),
};
