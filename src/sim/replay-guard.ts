/**
 * `lake replay` publishes a day onto NATS for a `lake serve` to store. If the lake that
 * service writes to already holds the day, every row would be stored twice (the stream's
 * duplicate window is minutes, a stored day is older): refuse unless the user says so.
 */
import { LakeError } from "../errors";
import type { Config } from "../config";
import { LakeFiles } from "../read/lake-files";

type Lake = Pick<Config, "useS3" | "s3" | "dataRoot">;

const TABLE_DIRS = {
  trades: "bronze/futures/trades/symbol=ES",
  mbp10: "bronze/futures/mbp10/symbol=ES",
  options: "bronze/options/trades/underlying=ES",
} as const;

/** Files per schema the target lake already holds for `date` (only schemas with files). */
export async function heldBronze(target: Lake, date: string, schemas: readonly (keyof typeof TABLE_DIRS)[]): Promise<Record<string, number>> {
  const files = new LakeFiles(target);
  const out: Record<string, number> = {};
  for (const s of schemas) {
    const n = (await files.listParquet(`${TABLE_DIRS[s]}/date=${date}/`)).length;
    if (n) out[s] = n;
  }
  return out;
}

export async function refuseDuplicateReplay(target: Lake, date: string, schemas: readonly (keyof typeof TABLE_DIRS)[]): Promise<void> {
  const held = await heldBronze(target, date, schemas);
  const what = Object.entries(held).map(([s, n]) => `${s}: ${n} file${n === 1 ? "" : "s"}`);
  if (!what.length) return;
  throw new LakeError(
    `${target.dataRoot} already holds Bronze for ${date} (${what.join(", ")}): a lake serve writing there would store the day twice. ` +
      `Replay from another lake (--source DIR) into this one only for dates it lacks, point --data-root at the lake the service writes to, or pass --allow-duplicates`,
  );
}
