/**
 * Torn commit records (empty or unparseable `commit.json` / `intent.json`, e.g. after a
 * filesystem that lost a write): `lake serve` refuses to start with a message naming the
 * file, what it should hold and the repair command; `lake ingest repair` rebuilds the record
 * from the files' own stream-sequence metadata, and the lake stays exactly-once. Consumers
 * start independently (Gold is not held up by a Bronze consumer whose store is failing) and
 * a signal during start-up stops the service.
 */
import { expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startNats } from "../../testkit/nats";
import { signal, trade, type GenMsg } from "../../testkit/ingest-messages";
import { createStreams, DURABLE, exactlyOnce, natsClient, publishAll, startServe, tempDir, waitCommitted, waitUntil, watermark, within } from "./helpers/harness";

const ROOT = resolve(import.meta.dir, "../..");
const TRADES = DURABLE["market.futures.trades"]!;
const GOLD = DURABLE["levels.signals"]!;

function repair(root: string, durable: string): { code: number; out: string } {
  const r = Bun.spawnSync(["bun", "run", join(ROOT, "src/main.ts"), "ingest", "repair", "--durable", durable, "--data-root", root], { cwd: ROOT, env: { ...process.env, USE_S3: "false" } });
  return { code: r.exitCode, out: r.stdout.toString() + r.stderr.toString() };
}

const trades = (from: number, n: number): GenMsg[] => Array.from({ length: n }, (_, i) => trade(from + i));
const badTrade = (i: number) => ({ subject: "market.futures.trades", body: `{"not a trade": ${i}` });

test("torn commit.json: serve refuses naming the file and the repair; the rebuilt record keeps the lake exactly-once", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-ingest-torn-commit-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  const first = trades(0, 300);
  const batch1 = [...first.slice(0, 150), badTrade(1), badTrade(2), ...first.slice(150)];
  {
    await using serve = startServe(nats.url, root);
    const seqs = await publishAll(nc, batch1);
    await waitCommitted(root, batch1, seqs, 30_000);
    expect(await serve.term()).toBe(0);
  }
  const committed = watermark(root, TRADES);
  const commitFile = join(root, "_ingest", TRADES, "commit.json");
  writeFileSync(commitFile, "");

  await using refused = startServe(nats.url, root);
  const code = await within(30_000, "serve to refuse a torn commit record", refused.proc.exited);
  expect(code).toBe(1);
  expect(refused.log()).toContain(`_ingest/${TRADES}/commit.json is unreadable (empty file)`);
  expect(refused.log()).toContain(`lake ingest repair --durable ${TRADES}`);

  const r = repair(root, TRADES);
  expect(r.code).toBe(0);
  expect(r.out).toContain("rebuilt commit.json");
  expect(watermark(root, TRADES)).toBe(committed);
  const rec = JSON.parse(readFileSync(commitFile, "utf8"));
  expect(rec.rowsTotal).toBe(300);
  expect(rec.quarantinedTotal).toBe(2);

  const second = trades(300, 200);
  await using serve2 = startServe(nats.url, root);
  const seqs2 = await publishAll(nc, second);
  await waitCommitted(root, second, seqs2, 30_000);
  expect(await serve2.term()).toBe(0);
  const check = await exactlyOnce(root, [...first, ...second]);
  expect(check.missing).toEqual([]);
  expect(check.duplicated).toEqual([]);
}, 120_000);

test("torn intent.json after a crash mid-flush: repair removes the files of the flush that never committed", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-ingest-torn-intent-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  const first = trades(0, 100);
  {
    await using serve = startServe(nats.url, root);
    const seqs = await publishAll(nc, first);
    await waitCommitted(root, first, seqs, 30_000);
    expect(await serve.term()).toBe(0);
  }
  // The next flush writes its intent and its data file, then the process dies.
  const second = trades(100, 100);
  {
    await using crashing = startServe(nats.url, root, [], { LAKE_TEST_FAULTS: "ingest-kill=after-file@1" });
    await publishAll(nc, second);
    await within(30_000, "the injected crash after the first data file", crashing.proc.exited);
  }
  const intentFile = join(root, "_ingest", TRADES, "intent.json");
  const intent = readFileSync(intentFile, "utf8");
  const orphan = (JSON.parse(intent).keys as string[])[0]!;
  writeFileSync(intentFile, intent.slice(0, intent.length >> 1)); // torn mid-write

  await using refused = startServe(nats.url, root);
  expect(await within(30_000, "serve to refuse a torn intent", refused.proc.exited)).toBe(1);
  expect(refused.log()).toContain(`_ingest/${TRADES}/intent.json is unreadable (not JSON`);

  const r = repair(root, TRADES);
  expect(r.code).toBe(0);
  expect(r.out).toContain(orphan);
  expect(readdirSync(join(root, "_ingest", TRADES)).filter((f) => f !== ".lock")).toEqual(["commit.json"]); // .lock: the owner's flock

  await using serve = startServe(nats.url, root);
  const all = [...first, ...second];
  const lastSeq = (await publishAll(nc, trades(200, 1)))[0]!;
  await waitUntil(() => watermark(root, TRADES) >= lastSeq, 30_000, "the redelivered flush to commit");
  expect(await serve.term()).toBe(0);
  const check = await exactlyOnce(root, [...all, ...trades(200, 1)]);
  expect(check.missing).toEqual([]);
  expect(check.duplicated).toEqual([]);
}, 120_000);

test("consumers start independently (Gold runs while a Bronze store keeps failing) and SIGTERM ends start-up", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-ingest-start-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  // A directory where the trades commit record should be: every read fails (EISDIR), a
  // store error that start-up recovery retries.
  mkdirSync(join(root, "_ingest", TRADES, "commit.json"), { recursive: true });
  await using serve = startServe(nats.url, root);
  const sigs = Array.from({ length: 20 }, (_, i) => signal(i));
  const seqs = await publishAll(nc, sigs);
  await waitCommitted(root, sigs, seqs, 30_000);
  expect(watermark(root, GOLD)).toBeGreaterThan(0);
  expect(serve.log()).toContain("start-up recovery failed, retrying");
  expect(serve.log()).not.toContain("lake serve running");

  const t0 = Date.now();
  serve.proc.kill("SIGTERM");
  const code = await within(15_000, "serve to stop on SIGTERM during start-up", serve.proc.exited);
  expect(Date.now() - t0).toBeLessThan(15_000);
  expect(code).toBe(0);
  rmSync(join(root, "_ingest", TRADES, "commit.json"), { recursive: true });
  const check = await exactlyOnce(root, sigs);
  expect(check.missing).toEqual([]);
  expect(check.duplicated).toEqual([]);
}, 120_000);
