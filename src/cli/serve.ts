import { defineCommand } from "citty";
import { LakeError, UsageError } from "../errors";
import { listenProblem } from "../core/net";
import type { Config } from "../config";
import { configArgs, configFromArgs, numberFlag } from "./common";

/** --metrics-port checked before anything starts: a port that cannot be served is a usage error (exit 2). */
async function metricsPortFlag(value: unknown, hostFlag: unknown): Promise<number | undefined> {
  const host = hostFlag === undefined ? "127.0.0.1" : String(hostFlag);
  if (value === undefined || value === "") {
    if (hostFlag !== undefined) throw new UsageError("--metrics-host needs --metrics-port");
    return undefined;
  }
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--metrics-port must be an integer 0..65535, got ${JSON.stringify(value)}`);
  const problem = await listenProblem(host, port);
  if (problem) throw new LakeError(`--metrics-port ${port}: cannot listen on ${host}:${port} (${problem}); choose another port${hostFlag === undefined ? "" : " or --metrics-host"}`, 2);
  return port;
}

export default defineCommand({
  meta: {
    name: "serve",
    description: "Run the lake service: NATS JetStream → Bronze and Gold Parquet, exactly once (docs/ingest.md)",
  },
  args: {
    ...configArgs,
    "bronze-buffer-limit": { type: "string", description: "rows per Bronze flush (env LAKE_BRONZE_BUFFER_LIMIT, default 1000)" },
    "bronze-flush-interval": { type: "string", description: "seconds between Bronze flushes (env LAKE_BRONZE_FLUSH_INTERVAL_S, default 5)" },
    "gold-buffer-limit": { type: "string", description: "rows per Gold flush (env LAKE_GOLD_BUFFER_LIMIT, default 500)" },
    "gold-flush-interval": { type: "string", description: "seconds between Gold flushes (env LAKE_GOLD_FLUSH_INTERVAL_S, default 10)" },
    "metrics-port": { type: "string", description: "serve Prometheus metrics on HOST:PORT/metrics and health on /healthz" },
    "metrics-host": { type: "string", description: "interface for --metrics-port (default 127.0.0.1; 0.0.0.0 for every interface)" },
    "summary-interval": { type: "string", description: "seconds between summary log lines (default 10)" },
    "ring-mb": { type: "string", description: "SharedArrayBuffer ring per consumer, MiB (default 32)" },
    "pull-batch": { type: "string", description: "messages per JetStream pull request (default 2048)" },
    "shutdown-timeout": { type: "string", description: "seconds allowed for the final flush on SIGINT/SIGTERM (default 30)" },
    compact: { type: "boolean", default: true, description: "compact closed hours in the background (default on; --no-compact to disable)" },
    "compact-interval": { type: "string", description: "seconds between background compaction passes (default 60)" },
    "compact-grace": { type: "string", description: "compact only hours that ended at least this many minutes ago (default 10)" },
    "compact-retain": { type: "string", description: "seconds compacted input files stay after their commit, for readers that listed them just before (default 300)" },
    standby: { type: "boolean", description: "when another instance owns the consumers, wait and take over when its lease lapses (default: exit 1)" },
    share: { type: "boolean", description: "share the consumers with other lake serve --share instances: take what is free, balance, take over what a stopped instance held (docs/scale-out.md)" },
    consumers: { type: "string", description: "read only these consumers, comma-separated: trades, mbp10, options, signals (or table/durable names); with --share, pin this instance to them" },
    "lease-ttl": { type: "string", description: "seconds a consumer's ownership lease lasts without renewal, when the lease bucket is created (default 10)" },
    "accept-stream-reset": { type: "boolean", description: "a stream was deleted and recreated: archive the commit records and ingest it from its first sequence" },
  },
  async run({ args }) {
    const cfg = configFromArgs(args);
    const { serve } = await import("../ingest/main/service");
    const compaction = args.compact === false ? null : await backgroundCompaction(cfg, args);
    const ringMb = numberFlag("ring-mb", args["ring-mb"], { min: 1 });
    // Safety net: once serve has returned (or failed), nothing may keep the process alive —
    // an abandoned flush retrying against a dead store, a start-up step still retrying. The
    // timer is unref'd: it only fires if something else still holds the event loop.
    const exitSoon = () => setTimeout(() => process.exit(), 2_000).unref();
    process.exitCode = await serve(cfg, {
      metricsPort: await metricsPortFlag(args["metrics-port"], args["metrics-host"]),
      metricsHost: args["metrics-host"],
      summaryIntervalS: numberFlag("summary-interval", args["summary-interval"], { min: 0.1 }),
      ringBytes: ringMb ? ringMb * 1024 * 1024 : undefined,
      shutdownTimeoutS: numberFlag("shutdown-timeout", args["shutdown-timeout"], { min: 1 }),
      pullBatch: numberFlag("pull-batch", args["pull-batch"], { min: 1 }),
      background: compaction ? [compaction] : [],
      standby: !!args.standby,
      share: !!args.share,
      consumers: await consumersFlag(args.consumers),
      leaseTtlS: numberFlag("lease-ttl", args["lease-ttl"], { min: 1, max: 3600 }),
      acceptStreamReset: !!args["accept-stream-reset"],
    }).finally(exitSoon);
  },
});

async function consumersFlag(value: unknown): Promise<string[] | undefined> {
  if (value === undefined || value === "") return undefined;
  const names = String(value).split(",").map((x) => x.trim()).filter(Boolean);
  if (!names.length) throw new UsageError("--consumers needs at least one consumer name");
  const { resolveConsumers } = await import("../ingest/main/streams");
  return resolveConsumers(names);
}

/** `lake serve` compacts closed hours by default (docs/compaction.md). */
async function backgroundCompaction(cfg: Config, args: Record<string, unknown>) {
  const intervalS = numberFlag("compact-interval", args["compact-interval"], { min: 1 }) ?? 60;
  const graceMs = (numberFlag("compact-grace", args["compact-grace"], { min: 0 }) ?? 10) * 60_000;
  const retainS = numberFlag("compact-retain", args["compact-retain"], { min: 0 });
  const { BackgroundCompaction } = await import("../app/compaction");
  return new BackgroundCompaction(cfg, { intervalS, graceMs, retainInputsMs: retainS === undefined ? undefined : retainS * 1000 });
}
