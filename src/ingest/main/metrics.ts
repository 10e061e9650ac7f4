/**
 * Operations view of the running service: the periodic one-line summary log and the
 * Prometheus text exposition served on --metrics-port.
 */
import { readdirSync, readFileSync } from "node:fs";
import { LAKE_VERSION } from "../../version";
import type { WorkerStats } from "../common/protocol";

/** What each lane reports (lane.ts keeps it current; the summary line and /metrics show it). */
export interface IngestLaneStats {
  table: string;
  durable: string;
  received: number;
  acked: number;
  watermark: number;
  rowsCommitted: number;
  filesCommitted: number;
  quarantined: number;
  /** Redeliveries (seq ≤ the last one pushed, e.g. after an ack_wait expiry) dropped on this thread. */
  duplicatesDropped: number;
  lastCommitAt: string | null;
  ringFill: number;
  worker: WorkerStats | null;
  lag: number | null;
  /** Stream sequences after the watermark that expired before they were ingested. */
  gapMessages: number;
  /** Parquet bytes committed. */
  bytesWritten: number;
  /** Latency of each flush (encode, put, commit record). */
  flushSeconds: Histogram;
}

/** Upper bounds, in seconds, of the flush-latency buckets: a 5 ms local flush to a 30 s S3 stall. */
export const FLUSH_SECONDS_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** A Prometheus histogram: per-bucket counts (not cumulative; the last slot is +Inf), sum and count. */
export interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export function newFlushHistogram(): Histogram {
  return { counts: new Array(FLUSH_SECONDS_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
}

export function observe(h: Histogram, seconds: number): void {
  let i = FLUSH_SECONDS_BUCKETS.findIndex((le) => seconds <= le);
  if (i < 0) i = FLUSH_SECONDS_BUCKETS.length;
  h.counts[i]!++;
  h.sum += seconds;
  h.count++;
}

function histogramLines(name: string, help: string, stats: readonly IngestLaneStats[]): string[] {
  const out = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
  for (const s of stats) {
    const labels = `table="${s.table}",consumer="${s.durable}"`;
    let cumulative = 0;
    FLUSH_SECONDS_BUCKETS.forEach((le, i) => {
      cumulative += s.flushSeconds.counts[i]!;
      out.push(`${name}_bucket{${labels},le="${le}"} ${cumulative}`);
    });
    out.push(`${name}_bucket{${labels},le="+Inf"} ${s.flushSeconds.count}`, `${name}_sum{${labels}} ${s.flushSeconds.sum}`, `${name}_count{${labels}} ${s.flushSeconds.count}`);
  }
  return out;
}


export function prometheusText(stats: readonly IngestLaneStats[], extra: { startedAt: number; rssBytes: number; natsConnected?: boolean }): string {
  const out: string[] = [];
  const metric = (name: string, help: string, type: "counter" | "gauge", value: (s: IngestLaneStats) => number | null) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const s of stats) {
      const v = value(s);
      if (v !== null && Number.isFinite(v)) out.push(`${name}{table="${s.table}",consumer="${s.durable}"} ${v}`);
    }
  };
  metric("lake_ingest_messages_received_total", "Messages copied into the ring", "counter", (s) => s.received);
  metric("lake_ingest_rows_committed_total", "Rows committed to Parquet", "counter", (s) => s.rowsCommitted);
  metric("lake_ingest_files_committed_total", "Parquet files committed", "counter", (s) => s.filesCommitted);
  metric("lake_ingest_bytes_written_total", "Parquet bytes committed", "counter", (s) => s.bytesWritten);
  out.push(...histogramLines("lake_ingest_flush_seconds", "Flush latency: encode, put and commit record", stats));
  metric("lake_ingest_quarantined_total", "Messages quarantined", "counter", (s) => s.quarantined);
  metric("lake_ingest_duplicates_dropped_total", "Redelivered messages dropped", "counter", (s) => s.duplicatesDropped + (s.worker?.duplicates ?? 0));
  metric("lake_ingest_gap_messages_total", "Stream sequences after the watermark that expired before they were ingested", "counter", (s) => s.gapMessages);
  metric("lake_ingest_flush_failures_total", "Failed commit attempts (retried)", "counter", (s) => s.worker?.failedFlushes ?? 0);
  metric("lake_ingest_mbp_truncated_levels_total", "MBP levels beyond the 10th dropped", "counter", (s) => (s.table === "futures.mbp10" ? (s.worker?.truncatedLevels ?? 0) : null));
  metric("lake_ingest_commit_watermark", "Highest stream sequence durably handled", "gauge", (s) => s.watermark);
  metric("lake_ingest_acked_sequence", "Highest stream sequence acked", "gauge", (s) => s.acked);
  metric("lake_ingest_buffered_rows", "Rows buffered in the worker, not yet committed", "gauge", (s) => s.worker?.bufferedRows ?? 0);
  metric("lake_ingest_ring_fill_ratio", "Fill of the SharedArrayBuffer ring", "gauge", (s) => s.ringFill);
  metric("lake_ingest_consumer_lag", "Messages pending in JetStream for the consumer", "gauge", (s) => s.lag);
  metric("lake_ingest_last_commit_timestamp_seconds", "Time of the last commit", "gauge", (s) => (s.lastCommitAt ? Date.parse(s.lastCommitAt) / 1000 : null));
  out.push("# HELP lake_process_resident_memory_bytes Resident set size", "# TYPE lake_process_resident_memory_bytes gauge", `lake_process_resident_memory_bytes ${extra.rssBytes}`);
  out.push("# HELP lake_process_start_time_seconds Start time", "# TYPE lake_process_start_time_seconds gauge", `lake_process_start_time_seconds ${extra.startedAt / 1000}`);
  out.push(...standardMetrics(stats, extra));
  return out.join("\n") + "\n";
}

/** One line per interval: msgs/s per table, rows committed, quarantined, ring fill, lag. */
export class SummaryLine {
  private last = new Map<string, number>();
  private lastAt = Date.now();

  line(stats: readonly IngestLaneStats[]): string {
    const now = Date.now();
    const dt = Math.max(0.001, (now - this.lastAt) / 1000);
    this.lastAt = now;
    const parts = stats.map((s) => {
      const prev = this.last.get(s.table) ?? s.received;
      this.last.set(s.table, s.received);
      const rate = Math.round((s.received - prev) / dt);
      return `${s.table} ${rate}/s rows=${s.rowsCommitted} buffered=${s.worker?.bufferedRows ?? 0} q=${s.quarantined} ring=${(s.ringFill * 100).toFixed(0)}% lag=${s.lag ?? "?"}`;
    });
    return parts.join(" | ");
  }
}

/**
 * The names dashboards and alert rules expect: Prometheus' standard process_* metrics, a
 * build-info gauge, and the consumer lag with its unit in the name.
 */
function standardMetrics(stats: readonly IngestLaneStats[], extra: { startedAt: number; rssBytes: number; natsConnected?: boolean }): string[] {
  const cpu = process.cpuUsage();
  const gauge = (name: string, help: string, type: "gauge" | "counter", value: number | string) => [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`];
  const out = [
    ...gauge("process_cpu_seconds_total", "Total user and system CPU time spent in seconds", "counter", (cpu.user + cpu.system) / 1e6),
    ...gauge("process_resident_memory_bytes", "Resident memory size in bytes", "gauge", extra.rssBytes),
    ...gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds", "gauge", extra.startedAt / 1000),
    ...gauge("process_heap_bytes", "JavaScript heap in use, bytes", "gauge", process.memoryUsage().heapUsed),
    ...procMetrics().flatMap(([name, help, value]) => gauge(name, help, "gauge", value)),
    "# HELP lake_build_info The lake binary: version and Bun runtime (value 1)",
    "# TYPE lake_build_info gauge",
    `lake_build_info{version="${LAKE_VERSION}",bun_version="${Bun.version}"} 1`,
    "# HELP lake_ingest_consumer_lag_messages Messages pending or un-acked in JetStream for the consumer",
    "# TYPE lake_ingest_consumer_lag_messages gauge",
  ];
  for (const s of stats) if (s.lag !== null && Number.isFinite(s.lag)) out.push(`lake_ingest_consumer_lag_messages{table="${s.table}",consumer="${s.durable}"} ${s.lag}`);
  if (extra.natsConnected !== undefined) out.push(...gauge("lake_nats_connected", "1 when the NATS server answers a round trip, else 0", "gauge", extra.natsConnected ? 1 : 0));
  return out;
}

/**
 * The rest of Prometheus' standard process collector, read from /proc as it does; on a system
 * without /proc they are absent rather than made up.
 */
function procMetrics(): [name: string, help: string, value: number][] {
  const out: [string, string, number][] = [];
  try {
    out.push(["process_open_fds", "Number of open file descriptors", readdirSync("/proc/self/fd").length]);
    const maxFds = /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1];
    if (maxFds) out.push(["process_max_fds", "Maximum number of open file descriptors", Number(maxFds)]);
    const vmKb = /^VmSize:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    if (vmKb) out.push(["process_virtual_memory_bytes", "Virtual memory size in bytes", Number(vmKb) * 1024]);
  } catch {
    // not Linux: the collector's other metrics are enough
  }
  return out;
}
