/**
 * Configuration: environment (contracts §7.1) overridden by CLI flags, validated with zod.
 * Every value remembers where it came from so `lake config` can say so.
 * No default credentials: S3 on without keys is a startup error.
 */
import { resolve } from "node:path";
import { z } from "zod";
import { ConfigError } from "./errors";
import { LOG_LEVELS, type Level } from "./log";

/**
 * Where a value came from: `env:AWS_…` when an S3_* setting came from its standard AWS variable
 * instead; derived: computed from another variable (USE_S3 and S3_BUCKET from DATA_ROOT=s3://…,
 * LAKE_LOCAL_ROOT from a directory DATA_ROOT).
 */
export type Source = "default" | "env" | "flag" | "derived" | `env:${string}`;

export interface S3Settings {
  endpoint: string | undefined;
  bucket: string;
  prefix: string; // no leading/trailing slash; "" for the bucket root
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials (STS): sent as x-amz-security-token. */
  sessionToken?: string;
  /** `https://bucket.endpoint/key` instead of `https://endpoint/bucket/key`. */
  virtualHostedStyle?: boolean;
}

export interface Config {
  dataRoot: string; // local path (absolute) or s3://bucket/prefix
  /**
   * The local directory Silver and Gold (training datasets) live in: LAKE_LOCAL_ROOT, else
   * DATA_ROOT when it is a directory — also in S3 mode, where (contracts §7) the writers use
   * the bucket and the Silver builder and curator DATA_ROOT. Null: none (DATA_ROOT=s3://…).
   */
  localRoot: string | null;
  useS3: boolean;
  s3: S3Settings | null;
  /** One or more servers (NATS_URL may list a cluster, comma-separated). */
  natsUrl: string;
  /** Replicas of the streams and key-value buckets the lake creates (1; 3 in a cluster). */
  natsReplicas: number;
  logLevel: Level;
  bronzeBufferLimit: number;
  bronzeFlushIntervalS: number;
  goldBufferLimit: number;
  goldFlushIntervalS: number;
  /**
   * LAKE_SINGLE_WRITER: the operator vouches that one process writes Silver, Gold and the
   * registries of this lake, so they may be published to an S3 endpoint that does not
   * enforce conditional writes (check-then-put). Never needed where the probe succeeds.
   */
  singleWriter: boolean;
  /** Where each field's value came from, keyed by the env variable name. */
  sources: Record<string, Source>;
}

/** Env variable → flag name (flags win). */
export const CONFIG_VARS = {
  DATA_ROOT: "data-root",
  USE_S3: "use-s3",
  S3_ENDPOINT: "s3-endpoint",
  S3_BUCKET: "s3-bucket",
  S3_REGION: "s3-region",
  S3_ACCESS_KEY: "s3-access-key",
  S3_SECRET_KEY: "s3-secret-key",
  S3_SESSION_TOKEN: "s3-session-token",
  S3_ADDRESSING: "s3-addressing",
  NATS_URL: "nats-url",
  LAKE_NATS_REPLICAS: "replicas",
  LAKE_LOG_LEVEL: "log-level",
  LAKE_BRONZE_BUFFER_LIMIT: "bronze-buffer-limit",
  LAKE_BRONZE_FLUSH_INTERVAL_S: "bronze-flush-interval",
  LAKE_GOLD_BUFFER_LIMIT: "gold-buffer-limit",
  LAKE_GOLD_FLUSH_INTERVAL_S: "gold-flush-interval",
  LAKE_LOCAL_ROOT: "local-root",
  LAKE_SINGLE_WRITER: "single-writer",
} as const;
export type ConfigVar = keyof typeof CONFIG_VARS;

export const DEFAULT_DATA_ROOT = "./data/lake";
export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";
/** Buffer and flush defaults of the streaming writers (contracts §7 recommended values). */
export const WRITER_DEFAULTS = {
  bronze: { bufferLimit: 1000, flushIntervalSeconds: 5 },
  gold: { bufferLimit: 500, flushIntervalSeconds: 10 },
} as const;

const DEFAULTS: Partial<Record<ConfigVar, string>> = {
  DATA_ROOT: DEFAULT_DATA_ROOT,
  USE_S3: "false",
  NATS_URL: DEFAULT_NATS_URL,
  LAKE_NATS_REPLICAS: "1",
  S3_REGION: "us-east-1",
  LAKE_LOG_LEVEL: "info",
  LAKE_BRONZE_BUFFER_LIMIT: String(WRITER_DEFAULTS.bronze.bufferLimit),
  LAKE_BRONZE_FLUSH_INTERVAL_S: String(WRITER_DEFAULTS.bronze.flushIntervalSeconds),
  LAKE_GOLD_BUFFER_LIMIT: String(WRITER_DEFAULTS.gold.bufferLimit),
  LAKE_GOLD_FLUSH_INTERVAL_S: String(WRITER_DEFAULTS.gold.flushIntervalSeconds),
  LAKE_SINGLE_WRITER: "false",
};

const bool = z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) => v === "true" || v === "1" || v === "yes");
const posInt = z.coerce.number().int().positive();
const posNum = z.coerce.number().positive();
const url = (protocols: string[]) =>
  z.string().refine((s) => {
    try {
      return protocols.includes(new URL(s).protocol);
    } catch {
      return false;
    }
  }, `a URL starting with ${protocols.map((p) => p + "//").join(" or ")}`);

const NATS_PROTOCOLS = ["nats:", "tls:", "ws:", "wss:"];

/** The servers of a NATS_URL: one URL, or a cluster's URLs separated by commas. */
export function natsServers(natsUrl: string): string[] {
  return natsUrl
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u !== "");
}

const FIELD: Record<ConfigVar, { schema: z.ZodType; expected: string }> = {
  // "s3:/bucket", "s3:bucket", "https://…": a mistyped URL must not become a local directory named "s3:"
  DATA_ROOT: { schema: z.string().min(1).refine((s) => s.startsWith("s3://") || !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s)), expected: "a directory path or s3://bucket[/prefix]" },
  USE_S3: { schema: bool, expected: "true or false" },
  S3_ENDPOINT: { schema: url(["http:", "https:"]), expected: "a URL such as http://127.0.0.1:9000" },
  S3_BUCKET: {
    schema: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/),
    expected: "a bucket name (3-63 chars: lowercase letters, digits, '.', '-')",
  },
  S3_REGION: { schema: z.string().regex(/^[a-z0-9-]+$/), expected: "a region such as us-east-1" },
  S3_ACCESS_KEY: { schema: z.string().min(1), expected: "a non-empty access key" },
  S3_SECRET_KEY: { schema: z.string().min(1), expected: "a non-empty secret key" },
  S3_SESSION_TOKEN: { schema: z.string().min(1), expected: "a non-empty session token" },
  S3_ADDRESSING: { schema: z.enum(["path", "virtual"]), expected: "path or virtual" },
  NATS_URL: {
    schema: z.string().refine((s) => natsServers(s).length > 0 && natsServers(s).every((u) => url(NATS_PROTOCOLS).safeParse(u).success)),
    expected: "a URL such as nats://127.0.0.1:4222, or several separated by commas (a cluster)",
  },
  LAKE_NATS_REPLICAS: { schema: z.coerce.number().int().min(1).max(5), expected: "an integer from 1 to 5 (JetStream replicas)" },
  LAKE_LOG_LEVEL: { schema: z.enum(LOG_LEVELS), expected: "debug, info, warn or error" },
  LAKE_BRONZE_BUFFER_LIMIT: { schema: posInt, expected: "a positive integer (rows)" },
  LAKE_BRONZE_FLUSH_INTERVAL_S: { schema: posNum, expected: "a positive number of seconds" },
  LAKE_GOLD_BUFFER_LIMIT: { schema: posInt, expected: "a positive integer (rows)" },
  LAKE_GOLD_FLUSH_INTERVAL_S: { schema: posNum, expected: "a positive number of seconds" },
  LAKE_LOCAL_ROOT: { schema: z.string().min(1).refine((s) => !s.includes("://")), expected: "a local directory (for Silver and Gold)" },
  LAKE_SINGLE_WRITER: { schema: bool, expected: "true or false" },
};

export const SECRET_VARS: ReadonlySet<ConfigVar> = new Set(["S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_SESSION_TOKEN"]);

/**
 * The ecosystem's standard variables, read when the S3_* name is not set (S3_* wins when
 * both are): the first one set in each list is used, and `lake config` names it.
 */
export const AWS_FALLBACKS: Partial<Record<ConfigVar, readonly string[]>> = {
  S3_ENDPOINT: ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"],
  S3_REGION: ["AWS_REGION", "AWS_DEFAULT_REGION"],
  S3_ACCESS_KEY: ["AWS_ACCESS_KEY_ID"],
  S3_SECRET_KEY: ["AWS_SECRET_ACCESS_KEY"],
  S3_SESSION_TOKEN: ["AWS_SESSION_TOKEN"],
};

export type Flags = Partial<Record<string, string | boolean | undefined>>;

/**
 * Resolve the effective configuration. `flags` uses the flag names of CONFIG_VARS
 * (e.g. `{"data-root": "/x"}`); `env` defaults to the process environment.
 */
export function loadConfig(flags: Flags = {}, env: Record<string, string | undefined> = process.env): Config {
  const raw: Partial<Record<ConfigVar, string>> = {};
  const sources: Record<string, Source> = {};
  for (const v of Object.keys(CONFIG_VARS) as ConfigVar[]) {
    const f = flags[CONFIG_VARS[v]];
    if (f !== undefined && f !== "") {
      raw[v] = String(f);
      sources[v] = "flag";
    } else if (env[v] !== undefined && env[v] !== "") {
      raw[v] = env[v]!;
      sources[v] = "env";
    } else if (AWS_FALLBACKS[v]?.some((a) => env[a] !== undefined && env[a] !== "")) {
      const a = AWS_FALLBACKS[v]!.find((n) => env[n] !== undefined && env[n] !== "")!;
      raw[v] = env[a]!;
      sources[v] = `env:${a}`;
    } else if (DEFAULTS[v] !== undefined) {
      raw[v] = DEFAULTS[v];
      sources[v] = "default";
    }
  }
  const val: Partial<Record<ConfigVar, unknown>> = {};
  for (const [k, s] of Object.entries(raw) as [ConfigVar, string][]) {
    const r = FIELD[k].schema.safeParse(s.trim());
    if (!r.success) {
      const shown = SECRET_VARS.has(k) ? "<redacted>" : JSON.stringify(s);
      const src = sources[k]!;
      const where = src === "flag" ? `--${CONFIG_VARS[k]}` : src.startsWith("env:") ? src.slice(4) : k;
      throw new ConfigError(`${where} is invalid: got ${shown}, expected ${FIELD[k].expected}`, exitCodeFor(sources[k]));
    }
    val[k] = r.data;
  }

  let dataRoot = val.DATA_ROOT as string;
  const s3Root = dataRoot.startsWith("s3://");
  const localRoot = val.LAKE_LOCAL_ROOT ? resolve(val.LAKE_LOCAL_ROOT as string) : s3Root ? null : resolve(dataRoot);
  const useS3 = s3Root || (val.USE_S3 as boolean);
  if (s3Root && sources.USE_S3 === "default") sources.USE_S3 = "derived";
  if (localRoot !== null && !val.LAKE_LOCAL_ROOT) sources.LAKE_LOCAL_ROOT = "derived";
  let s3: S3Settings | null = null;
  if (useS3) {
    let bucket = val.S3_BUCKET as string | undefined;
    let prefix = "";
    if (s3Root) {
      const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(dataRoot);
      if (!m || !FIELD.S3_BUCKET.schema.safeParse(m[1]).success) {
        throw new ConfigError(`${nameOf("DATA_ROOT", sources)} is invalid: got ${JSON.stringify(dataRoot)}, expected s3://bucket[/prefix]`, exitCodeFor(sources.DATA_ROOT));
      }
      bucket = m[1];
      sources.S3_BUCKET = "derived";
      prefix = m[2]!.replace(/\/+$/, "");
      if (prefix !== "" && prefix.split("/").some((p) => p === ".." || p === "." || p === "")) {
        throw new ConfigError(`${nameOf("DATA_ROOT", sources)} is invalid: prefix ${JSON.stringify(prefix)} has empty or dot segments`, exitCodeFor(sources.DATA_ROOT));
      }
    }
    if (!bucket) throw new ConfigError("S3 is on (USE_S3=true) but no bucket: set S3_BUCKET or DATA_ROOT=s3://bucket/prefix", 1);
    const missing = (["S3_ACCESS_KEY", "S3_SECRET_KEY"] as const).filter((k) => !val[k]);
    if (missing.length) {
      const names = missing.map((k) => `${k} (or ${AWS_FALLBACKS[k]![0]})`);
      throw new ConfigError(`S3 is on but ${names.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set (there are no default credentials)`, 1);
    }
    const endpoint = val.S3_ENDPOINT as string | undefined;
    sources.S3_ADDRESSING ??= "default";
    s3 = {
      endpoint: val.S3_ENDPOINT as string | undefined,
      bucket,
      prefix,
      region: val.S3_REGION as string,
      accessKeyId: val.S3_ACCESS_KEY as string,
      secretAccessKey: val.S3_SECRET_KEY as string,
      ...(val.S3_SESSION_TOKEN ? { sessionToken: val.S3_SESSION_TOKEN as string } : {}),
      // AWS itself (no endpoint) is virtual-hosted; emulators and MinIO usually want path-style.
      virtualHostedStyle: val.S3_ADDRESSING !== undefined ? val.S3_ADDRESSING === "virtual" : endpoint === undefined,
    };
    dataRoot = `s3://${bucket}${prefix ? "/" + prefix : ""}`;
  } else {
    dataRoot = resolve(dataRoot);
  }

  return {
    dataRoot,
    localRoot,
    useS3,
    s3,
    natsUrl: natsServers(val.NATS_URL as string).join(","),
    natsReplicas: val.LAKE_NATS_REPLICAS as number,
    logLevel: val.LAKE_LOG_LEVEL as Config["logLevel"],
    bronzeBufferLimit: val.LAKE_BRONZE_BUFFER_LIMIT as number,
    bronzeFlushIntervalS: val.LAKE_BRONZE_FLUSH_INTERVAL_S as number,
    goldBufferLimit: val.LAKE_GOLD_BUFFER_LIMIT as number,
    goldFlushIntervalS: val.LAKE_GOLD_FLUSH_INTERVAL_S as number,
    singleWriter: val.LAKE_SINGLE_WRITER as boolean,
    sources,
  };
}

/** A bad flag is a usage error (exit 2); a bad environment is a runtime failure (exit 1). */
function exitCodeFor(source: Source | undefined): number {
  return source === "flag" ? 2 : 1;
}

function nameOf(k: ConfigVar, sources: Record<string, Source>): string {
  const src = sources[k];
  return src === "flag" ? `--${CONFIG_VARS[k]}` : src?.startsWith("env:") ? src.slice(4) : k;
}

/** Rows for `lake config`: variable, effective value (secrets redacted), source. */
export function describeConfig(cfg: Config, env: Record<string, string | undefined> = process.env) {
  const effective: Record<ConfigVar, unknown> = {
    DATA_ROOT: cfg.dataRoot,
    USE_S3: cfg.useS3,
    S3_ENDPOINT: cfg.s3?.endpoint ?? env.S3_ENDPOINT ?? null,
    S3_BUCKET: cfg.s3?.bucket ?? env.S3_BUCKET ?? null,
    S3_REGION: cfg.s3?.region ?? env.S3_REGION ?? "us-east-1",
    S3_ACCESS_KEY: cfg.s3?.accessKeyId ?? env.S3_ACCESS_KEY ?? null,
    S3_SECRET_KEY: cfg.s3?.secretAccessKey ?? env.S3_SECRET_KEY ?? null,
    S3_SESSION_TOKEN: cfg.s3?.sessionToken ?? env.S3_SESSION_TOKEN ?? null,
    S3_ADDRESSING: cfg.s3 ? (cfg.s3.virtualHostedStyle ? "virtual" : "path") : (env.S3_ADDRESSING ?? null),
    NATS_URL: cfg.natsUrl,
    LAKE_NATS_REPLICAS: cfg.natsReplicas,
    LAKE_LOG_LEVEL: cfg.logLevel,
    LAKE_BRONZE_BUFFER_LIMIT: cfg.bronzeBufferLimit,
    LAKE_BRONZE_FLUSH_INTERVAL_S: cfg.bronzeFlushIntervalS,
    LAKE_GOLD_BUFFER_LIMIT: cfg.goldBufferLimit,
    LAKE_GOLD_FLUSH_INTERVAL_S: cfg.goldFlushIntervalS,
    LAKE_LOCAL_ROOT: cfg.localRoot,
    LAKE_SINGLE_WRITER: cfg.singleWriter,
  };
  return (Object.keys(CONFIG_VARS) as ConfigVar[]).map((k) => {
    const v = effective[k];
    return {
      variable: k,
      flag: `--${CONFIG_VARS[k]}`,
      value: SECRET_VARS.has(k) && v ? "<redacted>" : v,
      source: cfg.sources[k] ?? "unset",
    };
  });
}
