/**
 * `lake simulate` — deterministic ES market days (issue 5), straight into Bronze or onto NATS.
 *
 *   lake simulate --to bronze --days 5 --from 2026-03-02 --seed 7
 *   lake simulate --to nats --date 2026-03-02 --scale light --speed 10x
 */
import { defineCommand } from "citty";
import { LakeError, UsageError } from "../errors";
import { ObjectExistsError, openStore } from "../storage";
import { writeBronzeDay } from "../sim/bronze";
import { generateDay, tradingDates, type SimDay } from "../sim/day";
import { formatSimTime, parseNonNegative } from "../sim/pace";
import { publishAll } from "../sim/publish";
import { SCALES, type ScaleName, type SimRates } from "../sim/scale";
import { wireMessages } from "../sim/wire";
import { epochDayOf, isWeekdayDay } from "../time/calendar";
import { configArgs, configFromArgs, dateFlag } from "./common";
import { openCliPublisher, pacingArgs, parsePacing } from "./pacing";
import { printTable } from "./table";

export default defineCommand({
  meta: { name: "simulate", description: "Generate deterministic ES trading days into Bronze (--to bronze) or onto NATS JetStream (--to nats)" },
  args: {
    date: { type: "string", description: "one trading date YYYY-MM-DD" },
    days: { type: "string", description: "number of weekday sessions (with --from)" },
    from: { type: "string", description: "first date of a multi-day run YYYY-MM-DD (weekends skipped)" },
    seed: { type: "string", description: "PRNG seed; same seed → byte-identical output (default 1)" },
    scale: { type: "string", description: "light | normal | heavy (default normal)" },
    "trade-rate": { type: "string", description: "futures trades/s, RTH average (overrides --scale)" },
    "mbp-rate": { type: "string", description: "extra MBP-10 quote updates/s, RTH average (overrides --scale)" },
    "option-rate": { type: "string", description: "option trades/s, RTH average (overrides --scale)" },
    "signal-interval": { type: "string", description: "levels.signals snapshot interval in ms, 0 = none (overrides --scale)" },
    "roll-date": { type: "string", description: "override the contract roll date YYYY-MM-DD (default: expiry − 8 days)" },
    to: { type: "string", description: "bronze | nats (default bronze)" },
    ...pacingArgs("--to nats"),
    overwrite: { type: "boolean", description: "--to bronze: replace existing simulator files" },
    ...configArgs,
  },
  async run({ args }) {
    const cfg = configFromArgs(args);
    const dest = (args.to as string | undefined) ?? "bronze";
    if (dest !== "bronze" && dest !== "nats") throw new UsageError(`--to must be bronze or nats, got ${JSON.stringify(dest)}`);
    const dates = resolveDates(args.date as string | undefined, args.from as string | undefined, args.days as string | undefined);
    const scaleName = ((args.scale as string | undefined) ?? "normal") as ScaleName;
    if (!(scaleName in SCALES)) throw new UsageError(`--scale must be light, normal or heavy, got ${JSON.stringify(args.scale)}`);
    const rates: Partial<SimRates> = {
      tradesPerSec: parseNonNegative("trade-rate", args["trade-rate"] as string | undefined),
      mbpPerSec: parseNonNegative("mbp-rate", args["mbp-rate"] as string | undefined),
      optionsPerSec: parseNonNegative("option-rate", args["option-rate"] as string | undefined),
      signalIntervalMs: parseNonNegative("signal-interval", args["signal-interval"] as string | undefined),
    };
    const seedArg = (args.seed as string | undefined) ?? "1";
    const seed: number | string = /^-?\d+$/.test(seedArg) ? Number(seedArg) : seedArg;
    const rollDate = args["roll-date"] as string | undefined;
    if (rollDate !== undefined) dateFlag("roll-date", rollDate);
    const gen = (date: string, signals: boolean): SimDay =>
      generateDay({ date, seed, scale: scaleName, rates, contracts: rollDate ? { rollDate } : undefined, signals });

    const rows: Record<string, unknown>[] = [];
    const t0 = performance.now();
    if (dest === "bronze") {
      const store = openStore(cfg);
      for (const date of dates) {
        const g0 = performance.now();
        const day = gen(date, false);
        const g1 = performance.now();
        const files = await writeBronzeDay(store, day, { overwrite: Boolean(args.overwrite) }).catch((e) => {
          if (e instanceof ObjectExistsError) {
            throw new LakeError(`${e.key} already exists: this lake already holds seed ${seed} for ${date}. Pass --overwrite to replace it, or use another --data-root / --seed`);
          }
          throw e;
        });
        const g2 = performance.now();
        rows.push({
          ...daySummary(date, day),
          files: files.length,
          bytes: files.reduce((s, f) => s + f.bytes, 0),
          generate_ms: Math.round(g1 - g0),
          write_ms: Math.round(g2 - g1),
        });
      }
    } else {
      const pacing = parsePacing(args);
      await using pub = await openCliPublisher(cfg.natsUrl);
      for (const [k, date] of dates.entries()) {
        const day = gen(date, true);
        const res = await publishAll(pub.nc, wireMessages(day), {
          ...pacing,
          onProgress: (p) =>
            process.stderr.write(
              `day ${k + 1}/${dates.length}  sim ${formatSimTime(p.simTimeNs)}  ${p.published.toLocaleString("en-US")} msgs  ${Math.round(p.rate).toLocaleString("en-US")} msg/s\n`,
            ),
        });
        rows.push({
          ...daySummary(date, day),
          signals: day.signals.length,
          published: res.published,
          msgs_per_s: Math.round(res.rate),
          seconds: Number(res.seconds.toFixed(2)),
        });
      }
    }
    const totalS = (performance.now() - t0) / 1000;
    if (args.json) {
      console.log(JSON.stringify({ to: dest, seed, scale: scaleName, seconds: Number(totalS.toFixed(3)), days: rows }, null, 2));
      return;
    }
    printTable(rows);
    const what = dest === "bronze" ? `Bronze lake at ${cfg.dataRoot}` : `NATS ${cfg.natsUrl}`;
    console.log(`${dates.length} day(s) → ${what} in ${totalS.toFixed(2)} s (seed ${seed}, scale ${scaleName})`);
  },
});

/** The leading columns of a day's summary row: what was simulated. */
function daySummary(date: string, day: SimDay): Record<string, unknown> {
  return {
    date,
    contracts: day.contracts.map((c) => `${c.symbol} ${(c.share * 100).toFixed(0)}%`).join(", "),
    trades: day.trades.numRows,
    mbp10: day.mbp10.numRows,
    options: day.options.numRows,
  };
}

function resolveDates(date?: string, from?: string, days?: string): string[] {
  if (date !== undefined && (from !== undefined || days !== undefined)) throw new UsageError("use either --date D or --days N --from D, not both");
  if (date !== undefined) {
    if (!isWeekdayDay(epochDayOf(dateFlag("date", date))!)) throw new UsageError(`--date ${date} is a weekend day; the simulator models weekday sessions only`);
    return [date];
  }
  if (from === undefined) throw new UsageError("give --date D, or --days N --from D");
  dateFlag("from", from);
  const n = days === undefined ? 1 : Number(days);
  if (!Number.isInteger(n) || n < 1 || n > 3660) throw new UsageError(`--days must be a positive integer, got ${JSON.stringify(days)}`);
  return tradingDates(from, n);
}
