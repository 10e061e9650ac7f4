/**
 * `lake serve` with background compaction (the default) against a real nats-server: the
 * service ingests in small flushes while it compacts the closed hours, and is SIGKILLed at
 * random moments across it. Every message ends in the lake exactly once (read through the
 * lake's own listing); late data for a compacted hour lands as a new small file, is read
 * once and compacted by a later pass; a restart re-ingests nothing.
 */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DuckSession } from "../../src/read/duck";
import { LakeFiles } from "../../src/read/lake-files";
import { startNats } from "../../testkit/nats";
import { spawnService } from "../../testkit/processes";
import { mbp, option, trade, type GenMsg } from "../../testkit/ingest-messages";
import { createStreams, natsClient, publishAll, rowKey, TABLE_PREFIX, waitCommitted, waitUntil } from "../ingest/helpers/harness";
import { ROOT, tempDir } from "./helpers";

const BRONZE_SUBJECTS = ["market.futures.trades", "market.futures.mbp10", "market.options.trades"] as const;

function startService(natsUrl: string, root: string, logFile: string) {
  return spawnService(
    [process.execPath, "run", join(ROOT, "src/main.ts"), "serve", "--nats-url", natsUrl, "--data-root", root,
      "--bronze-buffer-limit", "40", "--bronze-flush-interval", "0.2", "--gold-flush-interval", "0.5",
      "--compact-interval", "1", "--compact-grace", "0", "--compact-retain", "1", "--summary-interval", "5"],
    { cwd: ROOT, stdout: "ignore", stderr: Bun.file(logFile), env: { ...process.env, LAKE_LOG_LEVEL: "info", USE_S3: "false" } },
  );
}

/** How many times each expected row is in the lake, read through LakeFiles (compaction-aware). */
async function exactlyOnceViaLake(root: string, msgs: GenMsg[]): Promise<{ missing: number; duplicated: number; rows: number }> {
  const files = new LakeFiles(root);
  using _held = files.hold();
  using s = await DuckSession.open();
  let missing = 0;
  let duplicated = 0;
  let rows = 0;
  for (const subject of BRONZE_SUBJECTS) {
    const live = await files.listParquet(`${TABLE_PREFIX[subject]}/`);
    const counts = new Map<string, number>();
    if (live.length) {
      const f = await s.query(`SELECT seq FROM read_parquet($files, union_by_name=true)`, { files: await files.localPaths(live) });
      for (const v of f.values<BigInt64Array>("seq")) {
        const k = rowKey(subject, { seq: v });
        counts.set(k, (counts.get(k) ?? 0) + 1);
        rows++;
      }
    }
    for (const m of msgs) {
      if (m.subject !== subject) continue;
      for (const r of m.rows) {
        const c = counts.get(rowKey(subject, r)) ?? 0;
        if (c === 0) missing++;
        else if (c > 1) duplicated++;
      }
    }
  }
  return { missing, duplicated, rows };
}

/** Every partition-hour of the Bronze tables is one live file (compaction caught up; an hour of one flush stays as it is). */
async function allHoursCompacted(root: string): Promise<boolean> {
  const live = await new LakeFiles(root).listParquet("bronze/");
  const hours = new Set(live.map((f) => f.key.slice(0, f.key.lastIndexOf("/"))));
  return live.length > 0 && live.length === hours.size;
}

function serviceLogs(dir: string): string {
  return readdirSync(dir).filter((f) => f.startsWith("serve-")).map((f) => readFileSync(join(dir, f), "utf8")).join("\n");
}

function messages(indices: number[]): GenMsg[] {
  return indices.flatMap((i) => [trade(i), mbp(i), option(i)]);
}

test("serve --compact: ingest + compaction + SIGKILLs → exactly once; late data compacted later; restart re-ingests nothing", async () => {
  await using nats = await startNats();
  using tmp = tempDir();
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);

  // indices 0..11999 cross 14:00 UTC (two hours per table); published in 6 waves
  const all = Array.from({ length: 12_000 }, (_, i) => i).filter((i) => i % 3 === 0 || i < 600);
  const late = Array.from({ length: 30 }, (_, k) => 1 + 3 * k); // not yet published; hour 13
  const msgs = messages(all);
  const seqs: number[] = [];
  let svc = startService(nats.url, root, join(tmp.path, "serve-0.log"));
  let kills = 0;
  const wave = Math.ceil(msgs.length / 6);
  for (let w = 0; w < 6; w++) {
    seqs.push(...(await publishAll(nc, msgs.slice(w * wave, (w + 1) * wave))));
    await Bun.sleep(400 + Math.floor(Math.random() * 1200));
    if (w % 2 === 1) {
      svc.kill("SIGKILL");
      await svc.exited;
      kills++;
      svc = startService(nats.url, root, join(tmp.path, `serve-${kills}.log`));
    }
  }
  await waitCommitted(root, msgs, seqs, 120_000);
  await waitUntil(() => allHoursCompacted(root), 120_000, "background compaction of every closed hour").catch((e) => {
    throw new Error(`${(e as Error).message}; service logs:\n${serviceLogs(tmp.path).split("\n").filter((l) => /compact|error|warn/i.test(l)).slice(-30).join("\n")}`);
  });
  expect(await exactlyOnceViaLake(root, msgs)).toEqual({ missing: 0, duplicated: 0, rows: msgs.length });

  // late data for a compacted hour: a new small file, read once, then compacted again
  const lateMsgs = late.map((i) => trade(i)).map((m, k) => ({ ...m, body: m.body.replace(/"seq":\s*"?\d+"?/, `"seq":${100_000 + k}`), rows: [{ ...m.rows[0]!, seq: BigInt(100_000 + k) }] }));
  const lateSeqs = await publishAll(nc, lateMsgs);
  await waitCommitted(root, lateMsgs, lateSeqs, 60_000);
  const withLate = [...msgs, ...lateMsgs];
  expect(await exactlyOnceViaLake(root, withLate)).toEqual({ missing: 0, duplicated: 0, rows: withLate.length });
  await waitUntil(() => allHoursCompacted(root), 60_000, "the late file to be compacted");
  expect(await exactlyOnceViaLake(root, withLate)).toEqual({ missing: 0, duplicated: 0, rows: withLate.length });

  // a clean stop, then a restart: nothing is ingested twice after compaction
  svc.kill("SIGTERM");
  expect(await svc.exited).toBe(0);
  svc = startService(nats.url, root, join(tmp.path, "serve-restart.log"));
  await Bun.sleep(4_000);
  svc.kill("SIGTERM");
  expect(await svc.exited).toBe(0);
  expect(await exactlyOnceViaLake(root, withLate)).toEqual({ missing: 0, duplicated: 0, rows: withLate.length });
  expect(kills).toBe(3);
  // the hours were compacted by the service itself (the only compactor here): committed records
  const { localStore } = await import("../../src/storage");
  const records = (await localStore(root).list("bronze/")).filter((o) => /\/compact-[^/]+\.json$/.test(o.key));
  expect(records.length).toBeGreaterThanOrEqual(3);
}, 400_000);
