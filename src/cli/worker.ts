/**
 * `lake worker`: build the dates that `lake silver … --distributed` queues on LAKE_TASKS
 * (docs/scale-out.md). Run any number, on any machine that sees the same NATS and lake root.
 */
import { defineCommand } from "citty";
import { configArgs, configFromArgs, numberFlag, parseWorkers, printResult, workersArg } from "./common";

export default defineCommand({
  meta: { name: "worker", description: "Build queued Silver dates for distributed builds (`lake silver --distributed`) until stopped" },
  args: {
    ...configArgs,
    workers: { ...workersArg, description: "dates built at once by this process (pool threads; default: CPU cores)" },
    "max-tasks": { type: "string", description: "exit after this many tasks (default: run until SIGTERM/SIGINT)" },
  },
  async run({ args }) {
    const cfg = configFromArgs(args);
    const { runWorker } = await import("../app/task-worker");
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    const summary = await runWorker({ natsUrl: cfg.natsUrl, replicas: cfg.natsReplicas, threads: parseWorkers(args.workers), s3: cfg.useS3 ? cfg.s3 : null, maxTasks: numberFlag("max-tasks", args["max-tasks"], { min: 1 }) }, stop.signal);
    printResult(args.json, summary, () => `worker ${summary.worker}: ${summary.accepted} dates delivered, ${summary.discarded} late results discarded, ${summary.returned} returned to the queue`);
    // the NATS client's timers must not hold a stopped worker open
    setTimeout(() => process.exit(), 1_000).unref();
  },
});
