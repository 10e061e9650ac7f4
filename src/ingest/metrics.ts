/**
 * Operations view of the running service: the periodic one-line summary log and the
 * Prometheus text exposition served on --metrics-port (issue #3 item 6).
 */
import type { PipelineStats } from "./pipeline";

export function prometheusText(stats: readonly PipelineStats[], extra: { startedAt: number; rssBytes: number }): string {
  const out: string[] = [];
  const metric = (name: string, help: string, type: "counter" | "gauge", value: (s: PipelineStats) => number | null) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const s of stats) {
      const v = value(s);
      if (v !== null && Number.isFinite(v)) out.push(`${name}{table="${s.table}",consumer="${s.durable}"} ${v}`);
    }
  };
  metric("lake_ingest_messages_received_total", "Messages copied into the ring", "counter", (s) => s.received);
  metric("lake_ingest_rows_committed_total", "Rows committed to Parquet", "counter", (s) => s.rowsCommitted);
  metric("lake_ingest_files_committed_total", "Parquet files committed", "counter", (s) => s.filesCommitted);
  metric("lake_ingest_quarantined_total", "Messages quarantined", "counter", (s) => s.quarantined);
  metric("lake_ingest_duplicates_dropped_total", "Redelivered messages dropped", "counter", (s) => s.worker?.duplicates ?? 0);
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
  return out.join("\n") + "\n";
}

/** One line per interval: msgs/s per table, rows committed, quarantined, ring fill, lag. */
export class SummaryLine {
  private last = new Map<string, number>();
  private lastAt = Date.now();

  line(stats: readonly PipelineStats[]): string {
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
