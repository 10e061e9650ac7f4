import { describe, expect, test } from "bun:test";
import { newFlushHistogram, observe, prometheusText } from "../../src/ingest/main/metrics";
import type { IngestLaneStats } from "../../src/ingest/main/metrics";
import pkg from "../../package.json";

const lane = (table: string, lag: number | null) =>
  ({ table, durable: `bronze_writer_${table}`, received: 10, acked: 10, watermark: 10, rowsCommitted: 10, filesCommitted: 1, quarantined: 0, lastCommitAt: null, ringFill: 0, worker: null, lag, bytesWritten: 4096, flushSeconds: newFlushHistogram() }) as IngestLaneStats;

describe("metrics under the names dashboards expect", () => {
  test("process_*, lake_build_info and the lag in messages, each with HELP and TYPE", () => {
    const text = prometheusText([lane("futures.trades", 7), lane("options.trades", null)], { startedAt: 1_765_000_000_000, rssBytes: 123_456 });
    expect(text).toMatch(/^# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total \d+(\.\d+)?$/m);
    expect(text).toContain("process_resident_memory_bytes 123456");
    expect(text).toContain("process_start_time_seconds 1765000000");
    if (process.platform === "linux") {
      expect(text).toMatch(/^process_open_fds [1-9]\d*$/m);
      expect(text).toMatch(/^process_max_fds [1-9]\d*$/m);
      expect(text).toMatch(/^process_virtual_memory_bytes [1-9]\d*$/m);
    }
    expect(text).toContain(`lake_build_info{version="${pkg.version}",bun_version="${Bun.version}"} 1`);
    expect(text).toContain('lake_ingest_consumer_lag_messages{table="futures.trades",consumer="bronze_writer_futures.trades"} 7');
    expect(text).not.toContain('lake_ingest_consumer_lag_messages{table="options.trades"'); // unknown lag is absent, not 0
    // every sample's metric has a TYPE line, and no metric is declared twice
    const types = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!);
    expect(new Set(types).size).toBe(types.length);
    for (const m of text.matchAll(/^([a-z_]+)[{ ]/gm)) expect(types).toContain(m[1]!.replace(/_(bucket|sum|count)$/, ""));
  });

  test("bytes written per table and a flush-latency histogram with cumulative buckets", () => {
    const trades = lane("futures.trades", 0);
    for (const s of [0.003, 0.02, 0.02, 0.7, 45]) observe(trades.flushSeconds, s);
    const text = prometheusText([trades], { startedAt: 0, rssBytes: 0 });
    const l = 'table="futures.trades",consumer="bronze_writer_futures.trades"';
    expect(text).toContain("# TYPE lake_ingest_bytes_written_total counter");
    expect(text).toContain(`lake_ingest_bytes_written_total{${l}} 4096`);
    expect(text).toContain("# TYPE lake_ingest_flush_seconds histogram");
    expect(text).toContain(`lake_ingest_flush_seconds_bucket{${l},le="0.005"} 1`);
    expect(text).toContain(`lake_ingest_flush_seconds_bucket{${l},le="0.025"} 3`);
    expect(text).toContain(`lake_ingest_flush_seconds_bucket{${l},le="1"} 4`);
    expect(text).toContain(`lake_ingest_flush_seconds_bucket{${l},le="30"} 4`);
    expect(text).toContain(`lake_ingest_flush_seconds_bucket{${l},le="+Inf"} 5`);
    expect(text).toContain(`lake_ingest_flush_seconds_count{${l}} 5`);
    expect(Number(new RegExp(`lake_ingest_flush_seconds_sum\\{${l}\\} (\\S+)`).exec(text)![1])).toBeCloseTo(45.743, 6);
  });
});
