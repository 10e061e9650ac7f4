/**
 * Exactly once across SIGKILL: `lake serve` runs as a subprocess while ≥ 50,000 mixed
 * messages are published; it is killed with SIGKILL at random moments (≥ 5 times, during
 * start-up, pulls, flushes and commits alike) and restarted. At the end every published
 * (subject, sequence) is in Bronze/Gold exactly once — no loss, no duplicate row.
 * The kill times and the injected fault draws come from one seed, printed on failure
 * (replay with LAKE_TEST_SEED=<seed>).
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { startNats } from "../../testkit/nats";
import { withSeed } from "../../testkit/seed";
import { gen, type GenMsg, type Subject } from "../../testkit/ingest-messages";
import { createStreams, exactlyOnce, natsClient, publishAll, startServe, tempDir, waitCommitted, type ServeProc } from "./helpers/harness";

const MIX: [Subject, number][] = [
  ["market.futures.trades", 24_000],
  ["market.futures.mbp10", 16_000],
  ["market.options.trades", 8_000],
  ["levels.signals", 4_000],
];

test("every message is committed exactly once across ≥ 5 random SIGKILLs of lake serve", () => withSeed("crash-exactly-once", async (rng) => {
  await using nats = await startNats();
  using tmp = tempDir("lake-ingest-crash-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);

  // Interleave the subjects the way a live feed would.
  const msgs: GenMsg[] = [];
  const next = MIX.map(() => 0);
  const total = MIX.reduce((s, [, n]) => s + n, 0);
  while (msgs.length < total) {
    for (let k = 0; k < MIX.length; k++) {
      const [subject, n] = MIX[k]!;
      const share = Math.max(1, Math.round((n / total) * 8));
      for (let j = 0; j < share && next[k]! < n; j++) msgs.push(gen(subject, next[k]!++));
    }
  }
  expect(msgs.length).toBeGreaterThanOrEqual(50_000);

  // Small buffers and short intervals: many flushes, so kills land mid-flush and mid-commit.
  const args = ["--bronze-buffer-limit", "1500", "--gold-buffer-limit", "700"];
  const logs: string[] = [];
  let serve: ServeProc = startServe(nats.url, root, args);
  const seqs: number[] = [];
  const publisher = (async () => {
    for (let i = 0; i < msgs.length; i += 2000) {
      seqs.push(...(await publishAll(nc, msgs.slice(i, i + 2000))));
      await Bun.sleep(120);
    }
  })();

  const KILLS = 6;
  const killAt: number[] = [];
  let selfKilled = 0;
  for (let k = 0; k < KILLS; k++) {
    const wait = rng.int(150, 1549);
    await Bun.sleep(wait);
    killAt.push(wait);
    if (serve.proc.exitCode !== null || serve.proc.signalCode !== null) selfKilled++; // a fault point fired
    await serve.kill9();
    logs.push(serve.log());
    if (rng.random() < 0.5) await Bun.sleep(rng.int(0, 299));
    // Every other run also kills itself at a random commit-protocol step (after the
    // intent, between data files, after the commit record but before the ack).
    const fault = ["after-file", "any", ""][k % 3]!;
    serve = startServe(nats.url, root, args, fault ? { LAKE_TEST_FAULTS: `ingest-kill=${fault}@0.15,seed=${rng.uint32()}` } : {});
  }
  await publisher;
  try {
    await waitCommitted(root, msgs, seqs, 90_000);
  } catch (e) {
    console.log(serve.log().slice(-6000));
    throw e;
  } finally {
    expect(await serve.term()).toBe(0);
    logs.push(serve.log());
  }

  const check = await exactlyOnce(root, msgs);
  const expectedRows = msgs.reduce((s, m) => s + m.rows.length, 0);
  const recovered = logs.join("\n").match(/recovered a half-finished flush/g)?.length ?? 0;
  const repositioned = logs.join("\n").match(/action=repositioned/g)?.length ?? 0;
  console.log(
    `crash test (seed ${rng.seed}): ${msgs.length} messages (${expectedRows} rows), ${KILLS} SIGKILLs after ${killAt.join("/")} ms, ` +
      `${selfKilled} runs killed by an injected fault point, ` +
      `${recovered} half-finished flushes undone, ${repositioned} consumer repositionings, ` +
      `${check.total} rows in the lake, ${check.missing.length} missing, ${check.duplicated.length} duplicated`,
  );
  expect(check.missing.slice(0, 10)).toEqual([]);
  expect(check.duplicated.slice(0, 10)).toEqual([]);
  expect(check.total).toBe(expectedRows);
}), 180_000);
