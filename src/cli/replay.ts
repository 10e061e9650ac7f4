/**
 * `lake replay` — publish a stored Bronze day back onto NATS in (ts_event_ns, seq) order,
 * in exactly the §1 wire format (issue 5). Works on any Bronze, including the predecessor's:
 *
 *   lake replay --data-root /work/shared/fixtures/es-day-a --date 2026-01-14 --speed max
 *   lake replay --date 2026-03-02 --schemas trades,mbp10 --from 09:30 --to 10:00 --speed 10x
 */
import { defineCommand } from "citty";
import { LakeError, UsageError } from "../errors";
import { formatSimTime } from "../sim/pace";
import { PacedSender } from "../sim/publish";
import { parseReplaySchemas, parseTimeBound, readReplayChunks } from "../sim/replay";
import { wireMessages } from "../sim/wire";
import { configArgs, configFromArgs, dateFlag } from "./common";
import { openCliPublisher, pacingArgs, parsePacing } from "./pacing";
import { printTable } from "./table";

export default defineCommand({
  meta: { name: "replay", description: "Publish a Bronze day back onto NATS JetStream in event order, in the contract wire format" },
  args: {
    date: { type: "string", description: "trading date YYYY-MM-DD (UTC date partition)", required: true },
    schemas: { type: "string", description: "comma list of trades, mbp10, options (default all)" },
    from: { type: "string", description: "start time: HH:MM[:SS] New York, HH:MMZ UTC, or ISO timestamp (inclusive)" },
    to: { type: "string", description: "end time, same forms (inclusive)" },
    ...pacingArgs(),
    ...configArgs,
  },
  async run({ args }) {
    const cfg = configFromArgs(args);
    const date = args.date as string;
    dateFlag("date", date);
    const schemas = parseReplaySchemas(args.schemas as string | undefined);
    const startNs = parseTimeBound(date, args.from as string | undefined, "from");
    const endNs = parseTimeBound(date, args.to as string | undefined, "to");
    if (startNs !== undefined && endNs !== undefined && startNs > endNs) throw new UsageError("--from is after --to");
    const pacing = parsePacing(args);

    await using pub = await openCliPublisher(cfg.natsUrl);
    const sender = new PacedSender(pub.nc, {
      ...pacing,
      onProgress: (p) =>
        process.stderr.write(`replay sim ${formatSimTime(p.simTimeNs)}  ${p.published.toLocaleString("en-US")} msgs  ${Math.round(p.rate).toLocaleString("en-US")} msg/s\n`),
    });
    const counts: Record<string, number> = { trades: 0, mbp10: 0, options: 0 };
    for await (const chunk of readReplayChunks({ location: cfg, date, schemas, startNs, endNs })) {
      for (const s of schemas) counts[s]! += chunk[s]?.numRows ?? 0;
      await sender.send(wireMessages(chunk, schemas));
    }
    const res = await sender.flush();
    if (res.published === 0) {
      throw new LakeError(`no Bronze rows for ${date}${startNs !== undefined || endNs !== undefined ? " in the --from/--to window" : ""} under ${cfg.dataRoot} (check --data-root and --date)`);
    }
    const row = { date, ...Object.fromEntries(schemas.map((s) => [s, counts[s]])), published: res.published, msgs_per_s: Math.round(res.rate), seconds: Number(res.seconds.toFixed(2)) };
    if (args.json) {
      console.log(JSON.stringify(row, null, 2));
      return;
    }
    printTable([row]);
  },
});
