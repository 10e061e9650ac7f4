/** Minimal leveled logger to stderr; stdout is reserved for command output (tables, JSON). */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type Level = (typeof LOG_LEVELS)[number];
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold: number = RANK[(process.env.LAKE_LOG_LEVEL as Level) ?? "info"] ?? RANK.info;

export function setLogLevel(level: Level): void {
  threshold = RANK[level];
}

function emit(level: Level, msg: string, fields?: Record<string, unknown>): void {
  if (RANK[level] < threshold) return;
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
