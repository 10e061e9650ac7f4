/**
 * Quarantine is bounded memory: 1,000 bad ~1 MiB messages (plus good ones, on several
 * subjects) through a real `lake serve` keep its peak RSS (VmHWM from /proc) under 1 GB.
 * Quarantine bytes count in the flush trigger and in backpressure like rows, lines are
 * written as chunks and quarantine files rotate at QUARANTINE_FILE_BYTES. Every bad message
 * is in the quarantine exactly once, with its exact bytes.
 */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { QUARANTINE_FILE_BYTES, QuarantineLines } from "../../src/ingest/worker/quarantine";
import { startNats } from "../../testkit/nats";
import { mbp, trade, type GenMsg } from "../../testkit/ingest-messages";
import { createStreams, exactlyOnce, natsClient, publishAll, startServe, tempDir, waitCommitted } from "./helpers/harness";

const BAD = 1000;
const BAD_BYTES = 1024 * 1024 - 512; // under the server's 1 MiB max_payload

function peakRssBytes(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]) * 1024;
}

test("1,000 bad 1 MiB messages: peak RSS < 1 GB, every one quarantined once, files rotated", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-ingest-qbound-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);

  const good: GenMsg[] = [];
  const all: { subject: string; body: string | Uint8Array }[] = [];
  for (let i = 0; i < BAD; i++) {
    // Valid UTF-8 that is not JSON, distinct per message (its index in the first bytes).
    const body = new Uint8Array(BAD_BYTES).fill(0x7b); // "{{{{…"
    new TextEncoder().encodeInto(`#${i}#`, body.subarray(1));
    const subject = i % 4 === 3 ? "market.futures.mbp10" : "market.futures.trades";
    all.push({ subject, body });
    if (i % 10 === 0) {
      const g = i % 20 === 0 ? trade(i) : mbp(i);
      good.push(g);
      all.push(g);
    }
  }
  // A backlog (the service was down): it then arrives as fast as the service takes it.
  const seqs = await publishAll(nc, all, 8);
  await using serve = startServe(nats.url, root, ["--bronze-flush-interval", "5"]);
  await waitCommitted(root, all, seqs, 240_000);
  const peak = peakRssBytes(serve.proc.pid);
  expect(await serve.term()).toBe(0);
  console.log(`peak RSS of lake serve: ${(peak / 1048576).toFixed(0)} MiB over ${BAD} bad 1 MiB messages`);
  expect(peak).toBeLessThan(1024 * 1024 * 1024);

  const check = await exactlyOnce(root, good);
  expect(check.missing).toEqual([]);
  expect(check.duplicated).toEqual([]);
  // Every bad message once, with its exact bytes; files rotated at the cap.
  const seen = new Map<number, number>();
  let files = 0;
  for (const table of ["futures.trades", "futures.mbp10"]) {
    const dir = join(root, "_quarantine", table);
    for (const f of (readdirSync(dir, { recursive: true }) as string[]).filter((x) => x.endsWith(".ndjson"))) {
      files++;
      const size = statSync(join(dir, f)).size;
      const lines = readFileSync(join(dir, f), "utf8").trimEnd().split("\n");
      expect(size <= QUARANTINE_FILE_BYTES || lines.length === 1).toBe(true);
      for (const line of lines) {
        const q = JSON.parse(line) as { raw_base64: string; stream_seq: number };
        const bytes = Buffer.from(q.raw_base64, "base64");
        expect(bytes.length).toBe(BAD_BYTES);
        const i = Number(/#(\d+)#/.exec(bytes.subarray(0, 16).toString("latin1"))![1]);
        seen.set(i, (seen.get(i) ?? 0) + 1);
      }
    }
  }
  expect(seen.size).toBe(BAD);
  expect([...seen.values()].every((c) => c === 1)).toBe(true);
  expect(files).toBeGreaterThan(BAD_BYTES * 1.4 * BAD / QUARANTINE_FILE_BYTES - 1);
}, 300_000);

test("quarantine lines rotate into files of at most the cap (a longer line alone), in arrival order", () => {
  const q = new QuarantineLines();
  const line = (n: number) => new Uint8Array(n).fill(0x61);
  [40, 40, 30, 100, 10, 10].forEach((n, i) => q.push(i + 1, line(n)));
  expect(q.bytes).toBe(230);
  const files = q.files(80);
  expect(files.map((f) => [f.fromSeq, f.toSeq, f.lines.reduce((s, l) => s + l.length, 0)])).toEqual([
    [1, 2, 80],
    [3, 3, 30],
    [4, 4, 100],
    [5, 6, 20],
  ]);
});
