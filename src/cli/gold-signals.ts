/** `lake gold signals --date D`: streamed Gold level signals (contracts §6.2), de-duplicated by default. */
import { defineCommand } from "citty";
import { GoldReader } from "../read/gold-reader";
import { LakeFiles } from "../read/lake-files";
import { checkPartitionValue } from "../core/validate";
import { outputArgs, parseColumns, parseOutput, parseRange, rangeArgs } from "../read/cli-args";
import { writeResult } from "../read/output";
import { configArgs, configFromArgs } from "./common";

export default defineCommand({
  meta: { name: "signals", description: "Read Gold level signals (gold/levels/signals) for a date or time range" },
  args: {
    ...rangeArgs,
    underlying: { type: "string", description: "underlying (default ES)" },
    "keep-duplicates": { type: "boolean", description: "keep repeated (ts_event_ns, level_id) rows" },
    columns: { type: "string", description: "comma-separated columns to read (plus ts_event_ns and level_id); on S3 only their chunks are fetched" },
    ...outputArgs,
    ...configArgs,
  },
  async run({ args }) {
    const started = performance.now();
    const cfg = configFromArgs(args);
    const output = parseOutput(args, started);
    const range = parseRange(args);
    const underlying = checkPartitionValue("underlying", (args.underlying as string | undefined) ?? "ES");
    const reader = new GoldReader(new LakeFiles(cfg));
    const frames = reader.streamLevelSignals(underlying, { ...range, ...parseColumns(args.columns), dedupe: !args["keep-duplicates"] });
    await writeResult(frames, output);
  },
});
