/**
 * `lake replay` — publish a stored Bronze day back onto NATS in (ts_event_ns, seq) order,
 * in exactly the wire format of contracts §1. Works on any Bronze, including the predecessor's:
 *
 *   lake replay --source test/fixtures/es-day-a --date 2026-01-14 --speed max
 *
 * The lake (--data-root / DATA_ROOT) is where the consuming `lake serve` writes: a date it
 * already holds is refused unless --allow-duplicates. --source reads the day from another
 * Bronze tree (default: the lake itself).
 *   lake replay --date 2026-03-02 --schemas trades,mbp10 --start-time 09:30 --end-time 10:00 --speed 10x
 *   lake replay --dbn glbx-mdp3-20260302.trades.dbn.zst --definitions glbx-mdp3-20260302.definition.dbn.zst
 */
import { defineCommand } from "citty";
import { LakeError, UsageError } from "../errors";
import { progress } from "../log";
import { formatSimTime } from "../sim/pace";
import { PacedSender } from "../sim/publish";
import { parseReplaySchemas, parseTimeBound, readReplayChunks } from "../sim/replay";
import { wireMessages } from "../sim/wire";
import { refuseDuplicateReplay } from "../sim/replay-guard";
import { configArgs, configFromArgs, dateFlag } from "./common";
import { openCliPublisher, pacingArgs, parsePacing } from "./pacing";
import { printTable } from "./table";
import { replayDbnFiles } from "../dbn/replay";

export default defineCommand({
  meta: { name: "replay", description: "Publish a Bronze day back onto NATS JetStream in event order, in the contract wire format" },
  args: {
    date: { type: "string", description: "trading date YYYY-MM-DD (UTC date partition); required unless --dbn" },
    dbn: { type: "string", description: "publish these Databento DBN files (comma-separated) instead of Bronze" },
    definitions: { type: "string", description: "with --dbn: instrument definition DBN file(s), comma-separated (option trades)" },
    schemas: { type: "string", description: "comma list of trades, mbp10, options (default all)" },
    "start-time": { type: "string", description: "start of the window: HH:MM[:SS] New York, HH:MMZ UTC, or ISO timestamp (inclusive)" },
    "end-time": { type: "string", description: "end of the window, same forms (inclusive)" },
    source: { type: "string", description: "read the day from this Bronze lake (directory or s3://…; default: the lake itself)" },
    "allow-duplicates": { type: "boolean", description: "publish even if the lake (where lake serve writes) already holds the date" },
    ...pacingArgs(),
    ...configArgs,
  },
  async run({ args }) {
    const cfg = configFromArgs(args);
    if (args.dbn !== undefined) return replayDbn(args, cfg.natsUrl);
    if (args.date === undefined) throw new UsageError("lake replay: give --date D (Bronze) or --dbn FILE (DBN)");
    const date = args.date as string;
    dateFlag("date", date);
    const schemas = parseReplaySchemas(args.schemas as string | undefined);
    const startNs = parseTimeBound(date, args["start-time"] as string | undefined, "start-time");
    const endNs = parseTimeBound(date, args["end-time"] as string | undefined, "end-time");
    if (startNs !== undefined && endNs !== undefined && startNs > endNs) throw new UsageError("--start-time is after --end-time");
    const pacing = parsePacing(args);
    const source = args.source ? configFromArgs({ ...args, "data-root": args.source }) : cfg;
    if (!args["allow-duplicates"]) await refuseDuplicateReplay(cfg, date, schemas);

    await using pub = await openCliPublisher(cfg.natsUrl, cfg.natsReplicas);
    const sender = new PacedSender(pub.nc, {
      ...pacing,
      onProgress: (p) =>
        progress(`replay sim ${formatSimTime(p.simTimeNs)}  ${p.published.toLocaleString("en-US")} msgs  ${Math.round(p.rate).toLocaleString("en-US")} msg/s`),
    });
    const counts: Record<string, number> = { trades: 0, mbp10: 0, options: 0 };
    for await (const chunk of readReplayChunks({ location: source, date, schemas, startNs, endNs })) {
      for (const s of schemas) counts[s]! += chunk[s]?.numRows ?? 0;
      await sender.send(wireMessages(chunk, schemas));
    }
    const res = await sender.flush();
    if (res.published === 0) {
      throw new LakeError(`no Bronze rows for ${date}${startNs !== undefined || endNs !== undefined ? " in the --start-time/--end-time window" : ""} under ${source.dataRoot} (check --source / --data-root and --date)`);
    }
    const row = { date, ...Object.fromEntries(schemas.map((s) => [s, counts[s]])), published: res.published, msgs_per_s: Math.round(res.rate), seconds: Number(res.seconds.toFixed(2)) };
    if (args.json) {
      console.log(JSON.stringify(row, null, 2));
      return;
    }
    printTable([row]);
  },
});

function listFlag(v: unknown): string[] {
  return v === undefined || v === null ? [] : String(v).split(",").map((x) => x.trim()).filter(Boolean);
}

/** `lake replay --dbn FILE[,FILE…] [--definitions …]`: DBN records onto NATS in the wire format, file order. */
async function replayDbn(args: Record<string, unknown>, natsUrl: string): Promise<void> {
  const files = [...listFlag(args.dbn), ...((args._ as string[] | undefined) ?? [])];
  if (!files.length) throw new UsageError("--dbn needs at least one DBN file");
  const pacing = parsePacing(args);
  await using pub = await openCliPublisher(natsUrl);
  const sender = new PacedSender(pub.nc, {
    ...pacing,
    onProgress: (p) =>
      progress(`replay dbn ${formatSimTime(p.simTimeNs)}  ${p.published.toLocaleString("en-US")} msgs  ${Math.round(p.rate).toLocaleString("en-US")} msg/s`),
  });
  const counts = await replayDbnFiles(files, { definitions: listFlag(args.definitions), send: (src) => sender.send(wireMessages(src, ["trades", "mbp10", "options"])) });
  const res = await sender.flush();
  if (res.published === 0) throw new LakeError(`no ES futures or option records to publish in ${files.join(", ")}`);
  for (const [reason, n] of Object.entries(counts.skipped)) process.stderr.write(`lake replay: skipped ${n} record(s): ${reason}\n`);
  const row = { files: files.length, trades: counts.trades, mbp10: counts.mbp10, options: counts.options, published: res.published, msgs_per_s: Math.round(res.rate), seconds: Number(res.seconds.toFixed(2)) };
  if (args.json) console.log(JSON.stringify(row, null, 2));
  else printTable([row]);
}
