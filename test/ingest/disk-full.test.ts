/**
 * A store that refuses writes (a file-size limit the kernel enforces: every write past it
 * fails with EFBIG, like ENOSPC on a full disk): each failed flush attempt removes its temp
 * file, nothing is committed or acked meanwhile, and once writes succeed again every message
 * lands exactly once. Temp files that a dead process left behind are swept at start-up; a
 * live process's are kept.
 */
import { expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startNats } from "../../testkit/nats";
import { freePort } from "../../testkit/net";
import { trade, type GenMsg } from "../../testkit/ingest-messages";
import { createStreams, exactlyOnce, natsClient, publishAll, startServe, tempDir, waitCommitted, waitUntil, watermark, within } from "./helpers/harness";

const tempFiles = (root: string) => (existsSync(root) ? (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.includes(".lake-tmp-")) : []);

test("failed writes leave no temp files; orphans of dead processes are swept at start", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-ingest-diskfull-");
  const root = join(tmp.path, "lake");
  // Orphans: one of a pid that cannot be running, one of this (live) test process.
  const partDir = join(root, "bronze/futures/trades/symbol=ES/date=2025-12-16/hour=14");
  mkdirSync(partDir, { recursive: true });
  mkdirSync(join(root, "_ingest/bronze_writer_market_futures_trades"), { recursive: true });
  writeFileSync(join(partDir, ".lake-tmp-4194303999-deadbeef0001"), "partial");
  writeFileSync(join(root, "_ingest/bronze_writer_market_futures_trades/.lake-tmp-4194303999-deadbeef0002"), "partial");
  const live = join(partDir, `.lake-tmp-${process.pid}-feedface0003`);
  writeFileSync(live, "in progress");

  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  const port = await freePort();
  // Files up to 2 KiB can be written (commit records, intents); a flush's Parquet cannot.
  // The limit holds for the service's log file too: log errors only, so it stays below it.
  await using serve = startServe(nats.url, root, ["--bronze-buffer-limit", "2000", "--metrics-port", String(port)], { LAKE_LOG_LEVEL: "error" }, undefined, ["prlimit", "--fsize=2048:unlimited", "--"]);
  const msgs: GenMsg[] = [];
  for (let i = 0; i < 2000; i++) msgs.push(trade(i));
  const seqs = await publishAll(nc, msgs);
  const failures = async () => {
    try {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return Number(/^lake_ingest_flush_failures_total\{table="futures.trades"[^}]*\} (\d+)$/m.exec(text)?.[1] ?? 0);
    } catch {
      return 0;
    }
  };
  await waitUntil(async () => (await failures()) >= 4, 20_000, "several failed flush attempts");
  expect(watermark(root, "bronze_writer_market_futures_trades")).toBe(0);
  expect(tempFiles(root)).toEqual([`bronze/futures/trades/symbol=ES/date=2025-12-16/hour=14/.lake-tmp-${process.pid}-feedface0003`]);

  // Space returns: lift the limit of the running service.
  expect(Bun.spawnSync(["prlimit", "--pid", String(serve.proc.pid), "--fsize=unlimited:unlimited"]).exitCode).toBe(0);
  await waitCommitted(root, msgs, seqs, 60_000);
  serve.proc.kill("SIGTERM"); // running for sure (it committed); its log has no "running" line at level error
  expect(await within(60_000, "serve to stop", serve.proc.exited)).toBe(0);
  expect(tempFiles(root).length).toBe(1);
  const check = await exactlyOnce(root, msgs);
  expect(check.missing).toEqual([]);
  expect(check.duplicated).toEqual([]);
}, 150_000);
