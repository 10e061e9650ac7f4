/**
 * `lake bronze dates <schema>` and `lake bronze read <schema> --date D …` (contracts §6.1).
 * Schemas: futures-trades, futures-mbp10, option-trades.
 */
import { defineCommand } from "citty";
import { UsageError } from "../errors";
import { bronzeTable, type BronzeTable } from "../schemas/bronze";
import { BronzeReader } from "../read/bronze-reader";
import { LakeFiles } from "../read/lake-files";
import { checkDate, checkPartitionValue } from "../core/validate";
import { outputArgs, parseOutput, parseRange, rangeArgs, toJson, parseColumns } from "../read/cli-args";
import { writeResult } from "../read/output";
import { configArgs, configFromArgs } from "./common";
import { table } from "./table";
import type { Config } from "../config";
import { bronzeStats } from "../read/bronze-stats";
import { dedupeBronze } from "../compact/dedupe";

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
  meta: { name: "dates", description: "List the dates that hold Bronze data for a schema; --stats: data quality per date and table" },
  args: {
    schema: { ...schemaPositional, required: false },
    symbol: { type: "string", description: "futures symbol root / option underlying (default ES)" },
    stats: { type: "boolean", description: "per date and table: rows, first/last time, contracts, largest RTH gap, exact duplicates, quarantined" },
    dates: { type: "string", description: "with --stats: only these comma-separated dates" },
    ts: { type: "string", description: "with --stats: times as iso (default) | ns" },
    ...configArgs,
  },
  async run({ args }) {
    const cfg = configFromArgs(args);
    if (args.stats) return printStats(cfg, args);
    if (args.schema === undefined) throw new UsageError("give a schema (futures-trades, futures-mbp10, option-trades), or --stats");
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
    columns: { type: "string", description: "comma-separated columns to read (plus ts_event_ns, seq and symbol); on S3 only their chunks are fetched" },
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
      ...parseColumns(args.columns),
    });
    await writeResult(frames, output);
  },
});

function parseDates(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  const ds = String(v).split(",").map((s) => s.trim()).filter(Boolean);
  if (!ds.length) throw new UsageError("--dates is empty");
  return ds.map((d) => checkDate(d, "--dates")!);
}

async function printStats(cfg: Config, args: Record<string, unknown>): Promise<void> {
  const ts = (args.ts as string | undefined) ?? "iso";
  if (ts !== "iso" && ts !== "ns") throw new UsageError(`--ts must be iso or ns, got ${JSON.stringify(ts)}`);
  const only = args.schema === undefined ? null : schemaArg(args.schema).key;
  const rows = (await bronzeStats(cfg, parseDates(args.dates))).filter((r) => !only || r.table === only);
  if (args.json) return void console.log(toJson(rows));
  if (!rows.length) return void process.stderr.write(`no Bronze dates under ${cfg.dataRoot}\n`);
  const time = (n: bigint | null) => (n === null ? "-" : ts === "ns" ? n.toString() : new Date(Number(n / 1_000_000n)).toISOString().replace(".000Z", "Z"));
  const gap = (n: bigint | null) => (n === null ? "-" : `${(Number(n) / 1e9).toFixed(1)}s`);
  console.log(
    table([
      ["DATE", "TABLE", "FILES", "ROWS", "FIRST", "LAST", "CONTRACTS", "RTH GAP", "DUPLICATES", "QUARANTINED"],
      ...rows.map((r) => [r.date, r.table, r.files, r.rows, time(r.first_ts_ns), time(r.last_ts_ns), r.contracts.join(" ") || "-", gap(r.largest_rth_gap_ns), r.exact_duplicates, r.quarantined]),
    ]),
  );
}

const dedupe = defineCommand({
  meta: { name: "dedupe", description: "Rewrite Bronze hour partitions without their exact duplicate rows (--dry-run reports only)" },
  args: {
    dates: { type: "string", description: "comma-separated dates YYYY-MM-DD", required: true },
    "dry-run": { type: "boolean", description: "report what would be rewritten, change nothing" },
    ...configArgs,
  },
  async run({ args }) {
    const cfg = configFromArgs(args);
    const actions = await dedupeBronze(cfg, parseDates(args.dates)!, { dryRun: args["dry-run"] });
    if (args.json) return void console.log(toJson(actions));
    if (!actions.length) return void console.log("no exact duplicates");
    console.log(table([["DATE", "TABLE", "HOUR", "FILES", "ROWS", "DUPLICATES", args["dry-run"] ? "WOULD WRITE" : "WRITTEN"], ...actions.map((a) => [a.date, a.table, a.hour, a.files, a.rows, a.duplicates, a.written ?? "(dry run)"])]));
    const n = actions.reduce((s, a) => s + a.duplicates, 0);
    console.log(args["dry-run"] ? `${n} duplicate row(s) would be removed` : `removed ${n} duplicate row(s)`);
  },
});

export default defineCommand({
  meta: { name: "bronze", description: "Bronze tier: list dates, read rows" },
  subCommands: { dates, read, dedupe },
});
