import { defineCommand } from "citty";
import { configArgs, configFromArgs, numberFlag } from "./common";

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
    "metrics-port": { type: "string", description: "serve Prometheus metrics on 127.0.0.1:PORT/metrics" },
    "summary-interval": { type: "string", description: "seconds between summary log lines (default 10)" },
    "ring-mb": { type: "string", description: "SharedArrayBuffer ring per consumer, MiB (default 32)" },
    "pull-batch": { type: "string", description: "messages per JetStream pull request (default 2048)" },
    "shutdown-timeout": { type: "string", description: "seconds allowed for the final flush on SIGINT/SIGTERM (default 30)" },
  },
  async run({ args }) {
    const cfg = configFromArgs(args);
    const { serve } = await import("../ingest/service");
    const ringMb = numberFlag("ring-mb", args["ring-mb"], { min: 1 });
    process.exitCode = await serve(cfg, {
      metricsPort: numberFlag("metrics-port", args["metrics-port"], { min: 0 }),
      summaryIntervalS: numberFlag("summary-interval", args["summary-interval"], { min: 0.1 }),
      ringBytes: ringMb ? ringMb * 1024 * 1024 : undefined,
      shutdownTimeoutS: numberFlag("shutdown-timeout", args["shutdown-timeout"], { min: 1 }),
      pullBatch: numberFlag("pull-batch", args["pull-batch"], { min: 1 }),
    });
  },
});
