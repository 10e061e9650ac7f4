import { expect, test } from "bun:test";
import { writeBronzeDay } from "../../src/sim/bronze";
import { generateDay } from "../../src/sim/day";
import { readReplayChunks } from "../../src/sim/replay";
import { localStore, s3Store } from "../../src/storage";
import { startS3rver } from "../../testkit/s3";
import { tempDir } from "./helpers/lake";

test("a simulated day goes to S3 under the same keys and bytes as locally, and replays from there", async () => {
  await using s3 = await startS3rver();
  using dir = tempDir("lake-sim-s3-");
  const day = generateDay({ date: "2026-03-03", seed: 3, scale: { tradesPerSec: 0.1, mbpPerSec: 0, optionsPerSec: 0.02, signalIntervalMs: 0 } });
  const remote = s3Store(s3.s3Settings);
  const local = localStore(dir.path);
  const a = await writeBronzeDay(remote, day);
  const b = await writeBronzeDay(local, day);
  expect(a.map((f) => f.key)).toEqual(b.map((f) => f.key));
  const listed = (await remote.list("bronze/")).map((o) => o.key);
  expect(listed.sort()).toEqual(a.map((f) => f.key).sort());
  const k = a[0]!.key;
  expect(Buffer.compare(Buffer.from(await remote.get(k)), Buffer.from(await local.get(k)))).toBe(0);

  let rows = 0;
  for await (const chunk of readReplayChunks({ location: remote, date: "2026-03-03" })) rows += chunk.rows;
  expect(rows).toBe(day.trades.numRows + day.mbp10.numRows + day.options.numRows);
}, 120_000);
