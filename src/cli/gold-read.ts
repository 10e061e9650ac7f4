/**
 * `lake gold read NAME [--columns a,b] [--limit N]`: a training set's rows, from the object the
 * catalog names. On a bucket lake it reads the bucket directly — no pull into the working copy —
 * and with `--columns` fetches only those columns' chunks by byte range.
 */
import { defineCommand } from "citty";
import { GoldReader } from "../read/gold-reader";
import { LakeFiles } from "../read/lake-files";
import { outputArgs, parseColumns, parseLimit, parseOutput } from "../read/cli-args";
import { writeResult } from "../read/output";
import { bucketTiers } from "../app/bucket-tiers";
import { configArgs, configFromArgs, localRoot } from "./common";

export default defineCommand({
  meta: { name: "read", description: "Read a Gold training dataset's rows (only --columns' chunks on S3)" },
  args: {
    dataset: { type: "positional", required: false, description: "dataset name (default signals_production)" },
    columns: { type: "string", description: "comma-separated columns to read; on S3 only their chunks are fetched" },
    limit: { type: "string", description: "at most N rows" },
    ...outputArgs,
    ...configArgs,
  },
  async run({ args }) {
    const started = performance.now();
    const cfg = configFromArgs(args);
    const output = parseOutput(args, started);
    // training sets live in the bucket on a bucket lake, else in the local root (contracts §7)
    const reader = new GoldReader(bucketTiers(cfg) ? new LakeFiles(cfg) : new LakeFiles(localRoot(cfg)));
    const frame = await reader.readTrainingSet((args.dataset as string | undefined) ?? "signals_production", { ...parseColumns(args.columns), limit: parseLimit(args.limit) });
    await writeResult((async function* () { yield frame; })(), output);
  },
});
