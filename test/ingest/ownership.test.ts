/**
 * One owner per durable: two `lake serve` on the same root and durables never both write.
 * A second instance refuses (exit 1, naming the owner) or, with --standby, takes over when
 * the owner's lease lapses — after a SIGKILL, and after a SIGSTOP past the lease TTL, where
 * the paused owner must notice on SIGCONT and write nothing. Every published message ends
 * up in the lake exactly once.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { startNats } from "../../testkit/nats";
import { batchOf, createStreams, expectExactlyOnce, natsClient, publishAll, startServe, tempDir, waitCommitted, waitForLog, waitUntil, within, type ServeProc } from "./helpers/harness";

const TTL = ["--lease-ttl", "2"];

const exited = (s: ServeProc) => s.proc.exitCode !== null || s.proc.signalCode !== null;


test("two instances started together: one owns every durable, the other exits 1 naming it; 0 lost, 0 duplicated", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-own-two-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  await using a = startServe(nats.url, root, TTL);
  await using b = startServe(nats.url, root, TTL);
  const msgs = batchOf(0, 5_000);
  const seqs = await publishAll(nc, msgs);
  await within(60_000, "one of the two instances to refuse", waitUntil(() => exited(a) || exited(b), 60_000, "an exit"));
  const [loser, winner] = exited(a) ? [a, b] : [b, a];
  expect(await loser.proc.exited).toBe(1);
  expect(loser.log()).toMatch(/is owned by instance \S+ \(host \S+, pid \d+, epoch \d+/);
  expect(loser.log()).toContain("--standby");
  // Leases are taken in one global name order across both writers, so the loser can never hold
  // one writer's durables while the winner holds the other's (both would refuse to start).
  const taken = [...winner.log().matchAll(/lease acquired durable=(\S+)/g)].map((m) => m[1]);
  expect(taken).toEqual([...taken].sort());
  expect(taken).toHaveLength(4);
  await within(90_000, "everything committed by the owner", waitCommitted(root, msgs, seqs, 90_000), winner);
  // `lake status` names the owner of every consumer.
  const st = Bun.spawnSync(["bun", "run", join(import.meta.dir, "../../src/main.ts"), "status", "--json", "--nats-url", nats.url, "--data-root", root], { env: { ...process.env, USE_S3: "false" } });
  const owners = (JSON.parse(st.stdout.toString()) as { consumers: { owner: { pid: number } | null }[] }).consumers.map((c) => c.owner?.pid);
  expect(owners).toEqual([winner.proc.pid, winner.proc.pid, winner.proc.pid, winner.proc.pid]);
  expect(await winner.term()).toBe(0);
  await expectExactlyOnce(root, msgs);
}, 180_000);

test("--standby takes over within the lease TTL after the owner is SIGKILLed; 0 lost, 0 duplicated", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-own-standby-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  await using a = startServe(nats.url, root, TTL);
  await waitForLog(a, "lake serve running", "the owner to run");
  await using b = startServe(nats.url, root, [...TTL, "--standby"]);
  await waitForLog(b, "standing by", "the second instance to stand by");
  const first = batchOf(0, 2_000);
  const seqs1 = await publishAll(nc, first);
  const second = batchOf(2_000, 2_000);
  const sending = publishAll(nc, second);
  await Bun.sleep(300);
  await a.kill9(); // mid-stream
  const seqs2 = await sending;
  // TTL 2 s + a few seconds; the standby also recognises a dead local owner at once.
  await waitForLog(b, "lake serve running", "the standby to take over", 20_000);
  expect(b.log()).toContain("took over the lease of a stopped owner");
  const all = [...first, ...second];
  await within(90_000, "everything committed", waitCommitted(root, all, [...seqs1, ...seqs2], 90_000), b);
  expect(await b.term()).toBe(0);
  await expectExactlyOnce(root, all);
}, 180_000);

test("owner SIGSTOPped past the TTL: the standby takes the lease, the old owner on SIGCONT writes nothing and exits 1", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-own-stop-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  await using a = startServe(nats.url, root, TTL);
  await waitForLog(a, "lake serve running", "the owner to run");
  await using b = startServe(nats.url, root, [...TTL, "--standby"]);
  await waitForLog(b, "standing by", "the second instance to stand by");
  const first = batchOf(0, 1_500);
  const seqs1 = await publishAll(nc, first);
  await within(60_000, "the first batch committed by the owner", waitCommitted(root, first, seqs1, 60_000), a);
  // Paused while data flows: it may hold uncommitted rows, or be between intent and commit.
  const second = batchOf(1_500, 1_500);
  const sending = publishAll(nc, second);
  await Bun.sleep(150);
  a.proc.kill("SIGSTOP");
  const stoppedAt = Date.now();
  const seqs2 = await sending;
  await waitForLog(b, "took over the lease of a stopped owner", "the standby to take the lease");
  // On this machine the paused owner still holds the directory lock: the standby waits for it.
  await waitForLog(b, "waiting for the local lock", "the standby to wait for the local lock", 10_000);
  // Past the TTL for every durable (the standby only takes the first until the lock is free).
  await Bun.sleep(Math.max(0, stoppedAt + 4_000 - Date.now()));
  const aLogBefore = a.log().length;
  a.proc.kill("SIGCONT");
  expect(await within(30_000, "the old owner to exit", a.proc.exited, a)).toBe(1);
  const after = a.log().slice(aLogBefore);
  expect(after).toContain("lost the lease");
  expect(after).not.toMatch(/commit succeeded|flush: committed/);
  await waitForLog(b, "lake serve running", "the standby to run");
  const third = batchOf(3_000, 1_000);
  const seqs3 = await publishAll(nc, third);
  const all = [...first, ...second, ...third];
  await within(90_000, "everything committed by the new owner", waitCommitted(root, all, [...seqs1, ...seqs2, ...seqs3], 90_000), b);
  expect(await b.term()).toBe(0);
  await expectExactlyOnce(root, all);
}, 180_000);

test("a standby stops cleanly on SIGTERM while it waits (exit 0, the owner untouched)", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-own-standby-term-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  await using a = startServe(nats.url, root, TTL);
  await waitForLog(a, "lake serve running", "the owner to run");
  await using b = startServe(nats.url, root, [...TTL, "--standby"]);
  await waitForLog(b, "standing by", "the second instance to stand by");
  b.proc.kill("SIGTERM");
  expect(await within(30_000, "the standby to exit", b.proc.exited, b)).toBe(0);
  expect(b.log()).toContain("stopping during start-up");
  const msgs = batchOf(0, 300);
  const seqs = await publishAll(nc, msgs);
  await within(60_000, "the owner still commits", waitCommitted(root, msgs, seqs, 60_000), a);
  expect(await a.term()).toBe(0);
  await expectExactlyOnce(root, msgs);
}, 120_000);
