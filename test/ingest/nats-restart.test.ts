/**
 * NATS restarted under a running `lake serve` (graceful restart, then a SIGKILL crash of
 * nats-server): the service reconnects, resyncs its consumers at the commit watermark and
 * resumes; every message is in the lake exactly once.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { startNats } from "../helpers/nats";
import { gen, SUBJECTS, type GenMsg } from "./helpers/gen";
import { createStreams, exactlyOnce, natsClient, publishAll, startServe, tempDir, waitCommitted, within } from "./helpers/harness";

test("a NATS restart mid-stream loses and duplicates nothing", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-ingest-natsrestart-");
  const root = join(tmp.path, "lake");
  const nc = await natsClient(nats.url);
  await createStreams(nc);
  const msgs: GenMsg[] = [];
  for (let i = 0; i < 6000; i++) for (const s of SUBJECTS) if (s !== "levels.signals" || i % 4 === 0) msgs.push(gen(s, i));
  const thirds = [0, Math.floor(msgs.length / 3), Math.floor((2 * msgs.length) / 3), msgs.length];
  await using serve = startServe(nats.url, root, ["--bronze-buffer-limit", "2000"]);
  const seqs: number[] = [];
  const ids = msgs.map((_, i) => `m${i}`);
  const publish = (from: number, to: number) => within(45_000, `publish messages ${from}..${to}`, publishAll(nc, msgs.slice(from, to), 500, ids.slice(from, to)), serve);

  seqs.push(...(await publish(thirds[0]!, thirds[1]!)));
  await Bun.sleep(150); // the service is mid-drain
  await within(20_000, "graceful nats-server restart", nats.restart(), serve); // SIGTERM + start on the same port and store
  seqs.push(...(await publish(thirds[1]!, thirds[2]!)));
  await Bun.sleep(150);
  await within(20_000, "nats-server SIGKILL and start", nats.kill().then(() => nats.start()), serve); // crash, then come back
  seqs.push(...(await publish(thirds[2]!, thirds[3]!)));

  await within(90_000, "every message committed", waitCommitted(root, msgs, seqs, 80_000), serve);
  const log = serve.log();
  expect(await serve.term()).toBe(0);
  await within(10_000, "close the publisher connection", nc.close());
  expect(log).toContain("NATS reconnected; resyncing consumers");
  const check = await exactlyOnce(root, msgs);
  expect(check.missing.slice(0, 10)).toEqual([]);
  expect(check.duplicated.slice(0, 10)).toEqual([]);
  expect(check.total).toBe(msgs.reduce((s, m) => s + m.rows.length, 0));
}, 240_000);
