/**
 * S1's MBP-10 downsampling runs inside DuckDB on the lake path and in JS on in-memory
 * input: both must pick the same snapshot per 250 ms bucket (§5.1), including half-way
 * bucket edges, equal-ts ties (highest seq; a missing seq ranks lowest) and file order.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { concatFrames, type Frame } from "../../../src/frame";
import { encodeParquet } from "../../../src/parquet";
import { FUTURES_MBP10, FUTURES_TRADES } from "../../../src/schemas/bronze";
import { correctedConfig, referenceConfig } from "../../../src/silver/pipeline/config";
import { frameInput, memoInput, readerInput, type BronzeInput } from "../../../src/silver/pipeline/bronze-input";
import loadBronze, { mbpWindow } from "../../../src/silver/pipeline/stages/s01-load-bronze";
import { context, mbpFrame, tradesFrame } from "./stage-test-helpers";

const D = "2026-01-14";
const dir = mkdtempSync(join(tmpdir(), "lake-pipeline-s01-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { t0 } = mbpWindow(context(D));
const ms = (x: number) => t0 + BigInt(x) * 1_000_000n;
// file A then file B of the same hour; bidSz1 tags each row
const fileA = mbpFrame([
  { ts: ms(0), seq: 1, bidSz1: 1 },
  { ts: ms(125), seq: 2, bidSz1: 2 }, // 0.5 → bucket 0 (even): wins bucket 0
  { ts: ms(375), seq: 9, bidSz1: 3 }, // 1.5 → bucket 2
  { ts: ms(625), seq: null, bidSz1: 4 }, // 2.5 → bucket 2; ties with the seq-1 row below
  { ts: ms(700), seq: null, bidSz1: 5 }, // bucket 3, equal ts and no seq: the later row (file B) wins
]);
const fileB = mbpFrame([
  { ts: ms(375), seq: 5, bidSz1: 6 },
  { ts: ms(625), seq: 1, bidSz1: 7 }, // a real seq beats a missing one → wins bucket 2
  { ts: ms(700), seq: null, bidSz1: 8 },
  { ts: ms(875), seq: 3, bidSz1: 9 }, // 3.5 → bucket 4
]);
const trades = tradesFrame([{ ts: ms(0), price: 7000 }]);

async function write(key: string, frame: Frame, schema = FUTURES_MBP10) {
  const path = join(dir, key);
  mkdirSync(join(path, ".."), { recursive: true });
  await Bun.write(path, encodeParquet(frame, { schema, sort: false }));
}
const hour = String(new Date(Number(t0 / 1_000_000n)).getUTCHours()).padStart(2, "0");
await write(`bronze/futures/mbp10/symbol=ES/date=${D}/hour=${hour}/part-000.parquet`, fileA);
await write(`bronze/futures/mbp10/symbol=ES/date=${D}/hour=${hour}/part-001.parquet`, fileB);
await write(`bronze/futures/trades/symbol=ES/date=${D}/hour=${hour}/part-000.parquet`, trades, FUTURES_TRADES);

async function winners(bronze: BronzeInput, corrected = false): Promise<number[]> {
  const ctx = corrected ? context(D, { variant: "corrected", cfg: { ...correctedConfig(), fixes: { ...correctedConfig().fixes, contractFilter: false } }, bronze }) : context(D, { cfg: referenceConfig(), bronze });
  await loadBronze.run(ctx);
  return Array.from(ctx.mbp!.bidSz[0]!);
}

describe("S1 MBP-10 downsampling: DuckDB path = JS path", () => {
  test("round-half-even buckets with seq and file-order tie-breaks", async () => {
    const inMemory = frameInput({ trades: { [D]: trades }, mbp10: { [D]: concatFrames([fileA, fileB]) } });
    const js = await winners(inMemory);
    expect(js).toEqual([2, 7, 8, 9]);
    expect(await winners(memoInput(readerInput(dir)))).toEqual(js);
  });

  test("floor buckets ([FIX] D-11) agree too", async () => {
    const inMemory = frameInput({ trades: { [D]: trades }, mbp10: { [D]: concatFrames([fileA, fileB]) } });
    const js = await winners(inMemory, true);
    // [0,250) → 125 ms row; [250,500) → 375 seq 9; [500,750) → 700 later file; [750,1000) → 875
    expect(js).toEqual([2, 3, 8, 9]);
    expect(await winners(readerInput(dir), true)).toEqual(js);
  });
});
