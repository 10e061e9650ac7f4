/**
 * Flags shared by every command, and the bridge from parsed flags to Config.
 * A command spreads `...configArgs` into its args and calls `configFromArgs(args)`.
 * Secrets (S3_ACCESS_KEY, S3_SECRET_KEY) are environment-only on purpose: flags show up
 * in `ps` and shell history.
 */
import type { ArgsDef } from "citty";
import { loadConfig, type Config } from "../config";
import { UsageError } from "../errors";
import { epochDayOf } from "../time/calendar";
import { setLogLevel } from "../log";

export const globalArgs = {
  "log-level": { type: "string", description: "debug | info | warn | error (env LAKE_LOG_LEVEL)" },
  json: { type: "boolean", description: "machine-readable JSON output" },
} as const satisfies ArgsDef;

export const configArgs = {
  "data-root": { type: "string", description: "lake root: directory or s3://bucket/prefix (env DATA_ROOT)" },
  "use-s3": { type: "string", description: "true|false (env USE_S3)" },
  "s3-endpoint": { type: "string", description: "S3 endpoint URL (env S3_ENDPOINT)" },
  "s3-bucket": { type: "string", description: "S3 bucket (env S3_BUCKET)" },
  "s3-region": { type: "string", description: "S3 region (env S3_REGION)" },
  "nats-url": { type: "string", description: "NATS server URL (env NATS_URL)" },
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
