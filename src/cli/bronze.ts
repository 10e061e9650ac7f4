/**
 * `lake bronze dates <schema>` and `lake bronze read <schema> --date D …` (contracts §6.1).
 * Schemas: futures-trades, futures-mbp10, option-trades.
 */
import { defineCommand } from "citty";
import { UsageError } from "../errors";
import { bronzeTable, type BronzeTable } from "../schemas/bronze";
import { BronzeReader } from "../read/bronze-reader";
import { LakeFiles, checkPartitionValue } from "../read/lake-files";
import { outputArgs, parseOutput, parseRange, rangeArgs, toJson } from "../read/cli-args";
import { writeResult } from "../read/output";
import { configArgs, configFromArgs } from "./common";

const SCHEMAS: Record<string, string> = {
  "futures-trades": "futures.trades",
  "futures-mbp10": "futures.mbp10",
  "option-trades": "options.trades",
};

function schemaArg(v: unknown): BronzeTable {
  const key = SCHEMAS[String(v)];
  if (!key) throw new UsageError(`unknown schema ${JSON.stringify(v)}: expected ${Object.keys(SCHEMAS).join(", ")}`);
  return bronzeTable(key);
}

const schemaPositional = { type: "positional", description: Object.keys(SCHEMAS).join(" | "), required: true } as const;

const dates = defineCommand({
  meta: { name: "dates", description: "List the dates that hold Bronze data for a schema" },
  args: {
    schema: schemaPositional,
    symbol: { type: "string", description: "futures symbol root / option underlying (default ES)" },
    ...configArgs,
  },
  async run({ args }) {
    const cfg = configFromArgs(args);
    const t = schemaArg(args.schema);
    const value = checkPartitionValue(t.partitionKey, (args.symbol as string | undefined) ?? "ES");
    const list = await new BronzeReader(new LakeFiles(cfg)).getAvailableDates(t.schemaPath, `${t.partitionKey}=${value}`);
    if (args.json) console.log(toJson(list));
    else if (list.length) console.log(list.join("\n"));
    else process.stderr.write(`no dates under bronze/${t.schemaPath}/${t.partitionKey}=${value}\n`);
  },
});

const read = defineCommand({
  meta: { name: "read", description: "Read Bronze rows (front month only unless --contract / --all-contracts)" },
  args: {
    schema: schemaPositional,
    ...rangeArgs,
    symbol: { type: "string", description: "futures symbol root / option underlying (default ES)" },
    contract: { type: "string", description: "keep only this contract, e.g. ESH6" },
    "all-contracts": { type: "boolean", description: "no contract filter (every contract of the root)" },
    roll: { type: "string", description: "on a roll-contaminated day: error (default) | warn | allow" },
    ...outputArgs,
    ...configArgs,
  },
  async run({ args }) {
    const started = performance.now();
    const cfg = configFromArgs(args);
    const t = schemaArg(args.schema);
    const output = parseOutput(args, started);
    const range = parseRange(args);
    const value = checkPartitionValue(t.partitionKey, (args.symbol as string | undefined) ?? "ES");
    const roll = (args.roll ?? "error") as "error" | "warn" | "allow";
    if (!["error", "warn", "allow"].includes(roll)) throw new UsageError(`--roll must be error, warn or allow, got ${JSON.stringify(args.roll)}`);
    if (args.contract && args["all-contracts"]) throw new UsageError("--contract and --all-contracts exclude each other");
    if (t.partitionKey !== "symbol" && (args.contract || args["all-contracts"])) {
      throw new UsageError(`--contract / --all-contracts apply to futures schemas only`);
    }
    const reader = new BronzeReader(new LakeFiles(cfg));
    const frames = reader.stream(t, value, {
      ...range,
      specificContract: args.contract as string | undefined,
      frontMonthOnly: !args["all-contracts"],
      onRollContamination: roll,
    });
    await writeResult(frames, output);
  },
});

export default defineCommand({
  meta: { name: "bronze", description: "Bronze tier: list dates, read rows" },
  subCommands: { dates, read },
});
