/**
 * `lake serve`: the lake service (contracts §7.4) — one NATS connection shared by the
 * BronzeWriter (3 consumers) and the GoldWriter (1 consumer), a periodic summary line,
 * optional Prometheus metrics, and the ordered shutdown on SIGINT/SIGTERM.
 */
import type { Config } from "../config";
import { log } from "../log";
import { BronzeWriter } from "./bronze-writer";
import { connectNats } from "./connection";
import { GoldWriter } from "./gold-writer";
import { prometheusText, SummaryLine } from "./metrics";
import type { Pipeline } from "./pipeline";

export interface ServeOptions {
  metricsPort?: number;
  summaryIntervalS?: number;
  ringBytes?: number;
  pullBatch?: number;
  shutdownTimeoutS?: number;
  /** Resolves when the service should stop (signals by default). */
  until?: Promise<unknown>;
}

export async function serve(cfg: Config, opts: ServeOptions = {}): Promise<number> {
  const startedAt = Date.now();
  // Signals first: a SIGTERM during start-up then stops the service right after it started.
  let stopRequested!: () => void;
  const stopSignal = new Promise<void>((r) => (stopRequested = r));
  const onSignal = (sig: string) => {
    log.info("shutdown requested", { signal: sig });
    stopRequested();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let nc: Awaited<ReturnType<typeof connectNats>>;
  try {
    nc = await connectNats(cfg.natsUrl, "lake-serve");
  } catch (e) {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    throw e;
  }
  const common = { dataRoot: cfg.dataRoot, useS3: cfg.useS3, s3: cfg.s3, ringBytes: opts.ringBytes, pullBatch: opts.pullBatch };
  const bronze = new BronzeWriter({ ...common, bufferLimit: cfg.bronzeBufferLimit, flushIntervalSeconds: cfg.bronzeFlushIntervalS });
  const gold = new GoldWriter({ ...common, bufferLimit: cfg.goldBufferLimit, flushIntervalSeconds: cfg.goldFlushIntervalS, ensureStreams: false });
  const pipelines = (): Pipeline[] => [...bronze.pipelines, ...gold.pipelines];

  try {
    await bronze.start(nc);
    await gold.start(nc);
  } catch (e) {
    // Leave nothing running (workers, timers, the connection) so the process can exit.
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await Promise.all([bronze.stop(5_000), gold.stop(5_000)]).catch(() => {});
    await nc.close().catch(() => {});
    throw e;
  }
  log.info("lake serve running", { nats: cfg.natsUrl, root: cfg.dataRoot, consumers: pipelines().map((p) => p.opts.durable).join(",") });

  const jsm = bronze.jsm!;
  const refreshLag = async () => {
    for (const p of pipelines()) {
      try {
        const info = await jsm.consumers.info(p.opts.stream, p.opts.durable);
        p.stats.lag = info.num_pending + info.num_ack_pending;
      } catch {
        p.stats.lag = null;
      }
      p.stats.ringFill = p.ringFill();
    }
  };
  const summary = new SummaryLine();
  const interval = (opts.summaryIntervalS ?? 10) * 1000;
  const timer = setInterval(() => {
    void refreshLag().then(() => log.info(summary.line(pipelines().map((p) => p.stats))));
  }, interval);

  let server: ReturnType<typeof Bun.serve> | null = null;
  if (opts.metricsPort !== undefined) {
    server = Bun.serve({
      port: opts.metricsPort,
      hostname: "127.0.0.1",
      fetch: async (req) => {
        if (new URL(req.url).pathname !== "/metrics") return new Response("see /metrics\n", { status: 404 });
        await refreshLag();
        return new Response(prometheusText(pipelines().map((p) => p.stats), { startedAt, rssBytes: process.memoryUsage.rss() }), {
          headers: { "content-type": "text/plain; version=0.0.4" },
        });
      },
    });
    log.info("metrics on", { url: `http://127.0.0.1:${server.port}/metrics` });
  }

  const fatal = Promise.race(pipelines().map((p) => p.failed));
  const reason = await Promise.race([stopSignal.then(() => null), opts.until?.then(() => null) ?? new Promise(() => {}), fatal]);
  if (reason) log.error("stopping after a worker failure", { error: reason });

  // Ordered shutdown (§7.4): stop fetching, drain, flush + commit + ack, close NATS.
  clearInterval(timer);
  server?.stop(true);
  const timeoutMs = (opts.shutdownTimeoutS ?? 30) * 1000;
  const [okB, okG] = await Promise.all([bronze.stop(timeoutMs), gold.stop(timeoutMs)]);
  await nc.drain().catch(() => nc.close());
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  const ok = okB && okG && !reason;
  log.info(ok ? "lake serve stopped cleanly" : "lake serve stopped with errors (un-committed data stays un-acked in JetStream)", {
    rows: pipelines().reduce((s, p) => s + p.stats.rowsCommitted, 0),
  });
  return ok ? 0 : 1;
}
