/**
 * Several active `lake serve --share` on one root split the consumers through their leases
 * and take over from each other: three instances split the four consumers, one is SIGKILLed
 * mid-stream and the others take its consumers; an instance pinned with --consumers gets its
 * consumer handed back by the one that held it, a newcomer gets a balanced share, a clean
 * stop hands everything over. Publishing never pauses; every message is in the lake once.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { startNats, type NatsServer } from "../../testkit/nats";
import type { GenMsg } from "../../testkit/ingest-messages";
import { LEASE_BUCKET, type LeaseValue } from "../../src/ingest/main/lease";
import { batchOf, createStreams, DURABLE, expectExactlyOnce, natsClient, publishAll, startServe, tempDir, waitCommitted, waitUntil, within, type ServeProc } from "../ingest/helpers/harness";

const SHARE = ["--share", "--lease-ttl", "2"];
const DURABLES = Object.values(DURABLE).sort();

const batch = batchOf;

/** Durable → pid of the instance holding its lease (null: free). */
async function owners(nc: NatsConnection): Promise<Map<string, number | null>> {
  const out = new Map<string, number | null>(DURABLES.map((d) => [d, null]));
  let kv;
  try {
    kv = await new Kvm(jetstream(nc)).open(LEASE_BUCKET);
  } catch {
    return out;
  }
  for (const d of DURABLES) {
    const e = await kv.get(d).catch(() => null);
    const v = e && e.operation === "PUT" ? (e.json() as LeaseValue) : null;
    if (v && !v.released) out.set(d, v.pid);
  }
  return out;
}

const held = (o: Map<string, number | null>, s: ServeProc) => [...o.values()].filter((p) => p === s.proc.pid).length;

/** The current test's server, named in a failure message (a serve that cannot connect says only "refused"). */
let natsNow: NatsServer | null = null;

/** Wait until the leases say `ok`, then until every holder runs the consumers it holds. */
async function waitOwners(nc: NatsConnection, what: string, ok: (o: Map<string, number | null>) => boolean, procs: ServeProc[]): Promise<Map<string, number | null>> {
  let last = new Map<string, number | null>();
  await within(60_000, what, waitUntil(async () => ok((last = await owners(nc))), 60_000, what), procs[0]).catch((e) => {
    throw new Error(`${String(e)}\nowners: ${JSON.stringify([...last])}\nnats-server: ${natsNow?.state() ?? "?"}\n${procs.map((p) => `--- pid ${p.proc.pid}\n${p.log().split("\n").slice(-15).join("\n")}`).join("\n")}`);
  });
  return last;
}

function status(natsUrl: string, root: string): { consumers: { consumer: string; owner: { pid: number; since: string } | null }[] } {
  const st = Bun.spawnSync(["bun", "run", join(import.meta.dir, "../../src/main.ts"), "status", "--json", "--nats-url", natsUrl, "--data-root", root], { env: { ...process.env, USE_S3: "false" } });
  return JSON.parse(st.stdout.toString());
}

test("three sharing instances split the consumers; one SIGKILLed mid-stream, the others take over; 0 lost, 0 duplicated", async () => {
  await using nats = await startNats();
  natsNow = nats;
  using tmp = tempDir("lake-share-kill-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  await using a = startServe(nats.url, root, SHARE);
  await using b = startServe(nats.url, root, SHARE);
  await using c = startServe(nats.url, root, SHARE);
  const all3 = [a, b, c];
  const split = await waitOwners(nc, "the three instances to split the four consumers", (o) => all3.every((s) => held(o, s) >= 1) && [...o.values()].every((p) => p !== null), all3);
  expect(all3.map((s) => held(split, s)).sort()).toEqual([1, 1, 2]);

  const first = batch(0, 1_500);
  const seqs1 = await publishAll(nc, first);
  await within(90_000, "the first batch committed by the three", waitCommitted(root, first, seqs1, 90_000), a);

  // The instance holding two consumers dies while the second batch streams in.
  const victim = all3.find((s) => held(split, s) === 2)!;
  const survivors = all3.filter((s) => s !== victim);
  const second = batch(1_500, 2_000);
  const sending = publishAll(nc, second);
  await Bun.sleep(200);
  await victim.kill9();
  const seqs2 = await sending;
  const after = await waitOwners(nc, "the survivors to take the dead instance's consumers", (o) => [...o.values()].every((p) => p !== null && survivors.some((s) => s.proc.pid === p)) && survivors.every((s) => held(o, s) === 2), survivors);
  expect(survivors.map((s) => held(after, s))).toEqual([2, 2]);

  const third = batch(3_500, 500);
  const seqs3 = await publishAll(nc, third);
  const msgs = [...first, ...second, ...third];
  await within(90_000, "everything committed by the survivors", waitCommitted(root, msgs, [...seqs1, ...seqs2, ...seqs3], 90_000), survivors[0]);
  expect(survivors.some((s) => s.log().includes("took over the lease of a stopped owner"))).toBe(true);

  // `lake status` names each consumer's owner and since when it holds it.
  const st = status(nats.url, root);
  for (const row of st.consumers) {
    expect(survivors.map((s) => s.proc.pid)).toContain(row.owner!.pid);
    expect(Number.isNaN(Date.parse(row.owner!.since))).toBe(false);
  }
  for (const s of survivors) expect(await s.term()).toBe(0);
  await expectExactlyOnce(root, msgs);
}, 240_000);

test("pinned and balanced: an instance hands a pinned consumer back, a newcomer gets its share, a clean stop hands over the rest; 0 lost, 0 duplicated", async () => {
  await using nats = await startNats();
  natsNow = nats;
  using tmp = tempDir("lake-share-pin-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  await using a = startServe(nats.url, root, SHARE);
  await waitOwners(nc, "the first instance to take every consumer", (o) => held(o, a) === 4, [a]);

  // Data streams through every hand-over below.
  let next = 0;
  const msgs: GenMsg[] = [];
  const seqs: number[] = [];
  let streaming = true;
  const publisher = (async () => {
    while (streaming) {
      const m = batch(next, 100);
      next += 100;
      seqs.push(...(await publishAll(nc, m)));
      msgs.push(...m);
      await Bun.sleep(50);
    }
  })();
  // a failed step must stop the publisher before the connection closes, or its error hides the step's
  await using _publisher = { [Symbol.asyncDispose]: async () => ((streaming = false), await publisher.catch(() => {})) };

  await using p = startServe(nats.url, root, [...SHARE, "--consumers", "mbp10"]);
  await waitOwners(nc, "the pinned consumer handed to its instance", (o) => o.get(DURABLE["market.futures.mbp10"]!) === p.proc.pid && held(o, a) === 3, [a, p]);
  expect(a.log()).toContain("handing a consumer back");

  await using c = startServe(nats.url, root, SHARE);
  const balanced = await waitOwners(nc, "the newcomer to get its share", (o) => held(o, c) >= 1 && held(o, a) >= 1 && held(o, p) === 1 && [...o.values()].every((x) => x !== null), [a, c, p]);
  expect([held(balanced, a), held(balanced, c)].sort()).toEqual([1, 2]);

  expect(await a.term()).toBe(0);
  await waitOwners(nc, "the rest handed over on a clean stop", (o) => held(o, c) === 3 && held(o, p) === 1, [c, p]);

  await Bun.sleep(500);
  streaming = false;
  await publisher;
  await within(90_000, "everything committed", waitCommitted(root, msgs, seqs, 90_000), c);
  expect(await c.term()).toBe(0);
  expect(await p.term()).toBe(0);
  await expectExactlyOnce(root, msgs);
}, 240_000);
