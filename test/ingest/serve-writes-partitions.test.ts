/**
 * `lake serve` against a real nats-server: realistic messages on all four subjects land in
 * the right partitions (product-root symbol, UTC date/hour of the event time), each file
 * sorted by (ts_event_ns, seq), every value equal to what was sent (read back with DuckDB);
 * `lake status` and --metrics-port report the commits (rows, bytes, flush latency); SIGTERM exits 0 after the final flush.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { startNats } from "../../testkit/nats";
import { localStore } from "../../src/storage";
import { freePort } from "../../testkit/net";
import { gen, SUBJECTS, type GenMsg } from "../../testkit/ingest-messages";
import { createStreams, expectLakeMatches, natsClient, publishAll, readTable, startServe, tempDir, TABLE_PREFIX, waitCommitted } from "./helpers/harness";

test("serve writes all four subjects to the right partitions, sorted, with equal values", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-ingest-serve-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  const msgs: GenMsg[] = [];
  for (let i = 0; i < 400; i++) for (const s of SUBJECTS) msgs.push(gen(s, i));
  // Publish half before the service starts (backlog) and half while it runs (live).
  const half = msgs.length / 2;
  const seqs = await publishAll(nc, msgs.slice(0, half));
  const metricsPort = await freePort();
  await using serve = startServe(nats.url, root, ["--metrics-port", String(metricsPort)]);
  seqs.push(...(await publishAll(nc, msgs.slice(half))));
  await waitCommitted(root, msgs, seqs, 60_000);

  await expectLakeMatches(root, msgs);

  // Futures rows keep the real contract code while the partition is the root (§2.7).
  const trades = await readTable(root, TABLE_PREFIX["market.futures.trades"]!);
  expect(new Set(trades.map((r) => r.symbol))).toEqual(new Set(["ESZ5", "ESH6"]));

  const st = Bun.spawnSync(["bun", "run", join(import.meta.dir, "../../src/main.ts"), "status", "--json", "--data-root", root, "--nats-url", nats.url]);
  const status = JSON.parse(st.stdout.toString());
  const byTable = Object.fromEntries(status.consumers.map((c: { table: string }) => [c.table, c]));
  expect(byTable["futures.trades"].rows).toBe(400);
  expect(byTable["levels.signals"].rows).toBe(msgs.filter((m) => m.subject === "levels.signals").reduce((s, m) => s + m.rows.length, 0));
  expect(byTable["futures.mbp10"].lag).toBe(0);
  expect(byTable["options.trades"].last_commit_at).toBeString();

  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  expect(metrics).toContain('lake_ingest_rows_committed_total{table="futures.trades",consumer="bronze_writer_market_futures_trades"} 400');
  expect(metrics).toContain('lake_ingest_consumer_lag{table="options.trades",consumer="bronze_writer_market_options_trades"} 0');
  // per-table bytes written and the flush-latency histogram, fed by each commit of the worker
  const sample = (name: string) => Number(new RegExp(`^${name}\\{table="futures\\.trades",consumer="bronze_writer_market_futures_trades"(?:,le="\\+Inf")?\\} (\\S+)$`, "m").exec(metrics)?.[1]);
  // every trades file on disk was written by this service (no compaction): the counter is their size
  const written = (await localStore(root).list(`${TABLE_PREFIX["market.futures.trades"]}/`)).filter((o) => o.key.endsWith(".parquet"));
  expect(sample("lake_ingest_bytes_written_total")).toBe(written.reduce((n, o) => n + o.size, 0));
  const flushes = sample("lake_ingest_flush_seconds_count");
  expect(flushes).toBeGreaterThanOrEqual(1);
  expect(sample("lake_ingest_flush_seconds_bucket")).toBe(flushes);
  expect(sample("lake_ingest_flush_seconds_sum")).toBeGreaterThan(0);
  expect(metrics).toContain("# TYPE lake_ingest_flush_seconds histogram");

  expect(await serve.term()).toBe(0);
  expect(serve.log()).toContain("lake serve stopped cleanly");
}, 120_000);
