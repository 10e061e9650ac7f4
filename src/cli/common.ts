/**
 * Flags shared by every command, and the bridge from parsed flags to Config.
 * A command spreads `...configArgs` into its args and calls `configFromArgs(args)`.
 * Secrets (S3_ACCESS_KEY, S3_SECRET_KEY) are environment-only on purpose: flags show up
 * in `ps` and shell history.
 */
import type { ArgsDef } from "citty";
import { loadConfig, type Config } from "../config";
import { LakeError, UsageError } from "../errors";
import { epochDayOf } from "../core/time/calendar";
import { setLogLevel } from "../log";

export const globalArgs = {
  "log-level": { type: "string", description: "debug | info | warn | error (env LAKE_LOG_LEVEL)" },
  "log-format": { type: "string", description: "text (default) | json: one JSON object per log line (env LAKE_LOG_FORMAT)" },
  json: { type: "boolean", description: "machine-readable JSON output on stdout (progress stays on stderr)" },
  quiet: { type: "boolean", description: "no progress lines on stderr (warnings and errors still print)" },
} as const satisfies ArgsDef;

export const configArgs = {
  "data-root": { type: "string", description: "lake root: directory or s3://bucket/prefix (env DATA_ROOT)" },
  "use-s3": { type: "string", description: "true|false (env USE_S3)" },
  "s3-endpoint": { type: "string", description: "S3 endpoint URL (env S3_ENDPOINT, else AWS_ENDPOINT_URL_S3)" },
  "s3-bucket": { type: "string", description: "S3 bucket (env S3_BUCKET)" },
  "s3-region": { type: "string", description: "S3 region (env S3_REGION, else AWS_REGION)" },
  "s3-addressing": { type: "string", description: "path|virtual (env S3_ADDRESSING; default virtual on AWS, path with an endpoint)" },
  "nats-url": { type: "string", description: "NATS server URL, or a cluster's URLs separated by commas (env NATS_URL)" },
  replicas: { type: "string", description: "replicas of the JetStream streams and the lease KV bucket the lake creates: 1, or 3 in a cluster (env LAKE_NATS_REPLICAS)" },
  "local-root": { type: "string", description: "working copy of Silver and Gold when the lake is on S3 (env LAKE_LOCAL_ROOT; default DATA_ROOT when it is a directory)" },
  "single-writer": { type: "string", description: "true: one writer only, so Silver/Gold may be published to an S3 endpoint without conditional writes (env LAKE_SINGLE_WRITER)" },
  ...globalArgs,
} as const satisfies ArgsDef;

export function configFromArgs(args: Record<string, unknown>, env: Record<string, string | undefined> = process.env): Config {
  const cfg = loadConfig(args as Record<string, string | boolean | undefined>, env);
  setLogLevel(cfg.logLevel);
  // Worker threads get a snapshot of process.env when spawned: keep the effective level there.
  if (env === process.env) process.env.LAKE_LOG_LEVEL = cfg.logLevel;
  return cfg;
}

/** A `--<flag> YYYY-MM-DD` value, checked to be a calendar date (UsageError otherwise). */
export function dateFlag(flag: string, value: string): string {
  if (epochDayOf(value) === null) throw new UsageError(`--${flag} must be YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * A numeric `--<flag>` value (undefined when absent or empty), checked against [min, max]:
 * a UsageError names the flag and the range otherwise.
 */
export function numberFlag(flag: string, v: unknown, range: { min: number; max?: number }): number | undefined {
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  const { min, max } = range;
  if (!Number.isFinite(n) || n < min || (max !== undefined && n > max)) {
    throw new UsageError(`--${flag} must be a number ${max === undefined ? `≥ ${min}` : `in [${min}, ${max}]`}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** `--json` prints `value` as indented JSON for scripts; otherwise the human text (lake silver/gold). */
export function printResult(json: boolean | undefined, value: unknown, human: () => string): void {
  console.log(json ? JSON.stringify(snakeKeys(value), (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2) : human());
}

/**
 * One key case in every `--json` output: snake_case, like the Python API scripts already
 * read. Only our own camelCase field names change: keys without a lower→upper step (column
 * names, outcome labels such as BREAK, dates) are left as they are.
 */
export function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (v === null || typeof v !== "object" || v instanceof Date) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[/[a-z][A-Z]/.test(k) ? k.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase() : k] = snakeKeys(x);
  return out;
}

/**
 * Silver and Gold work on files in place (temp+rename, locks): they need a local directory.
 * With the lake on S3 that is DATA_ROOT when it is a directory (USE_S3=true + S3_BUCKET),
 * or LAKE_LOCAL_ROOT; Bronze is then read from the bucket (`lakeBackend`).
 */
export function localRoot(cfg: Config): string {
  if (cfg.localRoot === null) {
    throw new LakeError(`Silver and Gold are built in a local working copy, and DATA_ROOT is ${cfg.dataRoot}: set LAKE_LOCAL_ROOT (or --local-root) to a directory; what is built is published to the bucket`);
  }
  return cfg.localRoot;
}

/** The lake's own backend (where `lake serve` writes Bronze): what Silver reads. */
export function lakeBackend(cfg: Config): Pick<Config, "useS3" | "s3" | "dataRoot"> {
  return { useS3: cfg.useS3, s3: cfg.s3, dataRoot: cfg.dataRoot };
}

/** `--workers`: threads of the shared WorkerPool (lake silver build/verify, lake demo). */
/** Which Bronze dates a Silver command works on (parsed by silver/selection). */
export const bronzeDatesArgs = {
  dates: { type: "string", description: "comma-separated dates YYYY-MM-DD" },
  from: { type: "string", description: "first date (with --to): Bronze dates in the range" },
  to: { type: "string", description: "last date (with --from)" },
  all: { type: "boolean", description: "every Bronze date with futures trades (the default)" },
} as const;

export const workersArg = { type: "string", description: "dates built in parallel on the worker pool (default: CPU cores)" } as const;

export function parseWorkers(w: string | undefined): number {
  if (w === undefined) return Math.max(1, navigator.hardwareConcurrency || 1);
  const n = Number(w);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`--workers must be an integer 1..64, got ${JSON.stringify(w)}`);
  return n;
}
