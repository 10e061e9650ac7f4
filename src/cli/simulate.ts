/**
 * `lake simulate` — deterministic ES market days, straight into Bronze or onto NATS.
 *
 *   lake simulate --to bronze --days 5 --from 2026-03-02 --seed 7
 *   lake simulate --to nats --date 2026-03-02 --scale light --speed 10x
 *   lake simulate --to dbn --date 2026-03-02 --out ./dbn          (Databento DBN v3 zstd files)
 */
import { defineCommand } from "citty";
import { mkdirSync } from "node:fs";
import { basename, resolve } from "node:path";
import { writeDbnDay } from "../sim/dbn-day";
import { LakeError, UsageError } from "../errors";
import { progress } from "../log";
import { ObjectExistsError, openStore } from "../storage";
import { writeBronzeDayByHour, writerTag } from "../sim/bronze";
import { liveDay, switchDay } from "../compact/day-switch";
import { generateDay, generateDayByHour, tradingDates, type SimDay } from "../sim/day";
import { HourBuffers } from "../sim/mbp-buffer";
import { formatSimTime, parseNonNegative } from "../sim/pace";
import { publishAll } from "../sim/publish";
import { SCALES, type ScaleName, type SimRates } from "../sim/scale";
import { wireMessages } from "../sim/wire";
import { epochDayOf, isWeekdayDay } from "../core/time/calendar";
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
    to: { type: "string", description: "bronze | nats | dbn (default bronze)" },
    out: { type: "string", description: "--to dbn: output directory for the DBN v3 zstd files (default ./dbn)" },
    ...pacingArgs("--to nats"),
    overwrite: { type: "boolean", description: "--to bronze: replace the date's Bronze (any writer) atomically" },
    ...configArgs,
  },
  async run({ args }) {
    const cfg = configFromArgs(args);
    const dest = (args.to as string | undefined) ?? "bronze";
    if (dest !== "bronze" && dest !== "nats" && dest !== "dbn") throw new UsageError(`--to must be bronze, nats or dbn, got ${JSON.stringify(dest)}`);
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
      const hourBuffers = new HourBuffers();
      for (const date of dates) {
        const g0 = performance.now();
        const { live } = await liveDay(store, date);
        const tag = writerTag(seed);
        const others = live.filter((f) => f.leaves.some((k) => !k.includes(`-${tag}-`))).map((f) => f.file.key);
        if (others.length && !args.overwrite) {
          throw new LakeError(
            `${cfg.dataRoot} already holds Bronze for ${date} not written by seed ${seed} (${others.length} file${others.length === 1 ? "" : "s"}, e.g. ${others[0]}): a second seed would mix two markets in one day. Pass --overwrite to replace the day, or use another --data-root`,
          );
        }
        if (live.length && !args.overwrite) {
          throw new LakeError(`${cfg.dataRoot} already holds seed ${seed} for ${date} (${live.length} files). Pass --overwrite to replace it, or use another --data-root / --seed`);
        }
        // MBP-10 hour by hour: a heavy day's book updates are encoded as they are generated.
        const hours = () => generateDayByHour({ date, seed, scale: scaleName, rates, contracts: rollDate ? { rollDate } : undefined, signals: false, hourBuffers });
        // --overwrite replaces the whole day at one instant: readers never see two seeds, nor
        // half a day, even if this process dies part-way (src/compact/day-switch.ts)
        const { day, mbpRows, files } = args.overwrite
          ? (await switchDay(store, date, (put) => writeBronzeDayByHour(store, hours(), seed, { put }), { reason: `lake simulate --seed ${seed}` })).result
          : await writeBronzeDayByHour(store, hours(), seed).catch((e) => {
              if (e instanceof ObjectExistsError) {
                throw new LakeError(`${e.key} already exists: this lake already holds seed ${seed} for ${date}. Pass --overwrite to replace it, or use another --data-root / --seed`);
              }
              throw e;
            });
        rows.push({
          ...daySummary(date, day, mbpRows),
          files: files.length,
          bytes: files.reduce((s, f) => s + f.bytes, 0),
          seconds: Number(((performance.now() - g0) / 1000).toFixed(2)),
        });
      }
    } else if (dest === "dbn") {
      const out = resolve((args.out as string | undefined) ?? "dbn");
      mkdirSync(out, { recursive: true });
      for (const date of dates) {
        const day = gen(date, false);
        const files = await writeDbnDay(out, day);
        rows.push({ ...daySummary(date, day), files: Object.values(files).map((f) => basename(f)).join(" ") });
      }
    } else {
      const pacing = parsePacing(args);
      await using pub = await openCliPublisher(cfg.natsUrl, cfg.natsReplicas);
      for (const [k, date] of dates.entries()) {
        const day = gen(date, true);
        const res = await publishAll(pub.nc, wireMessages(day), {
          ...pacing,
          onProgress: (p) =>
            progress(`day ${k + 1}/${dates.length}  sim ${formatSimTime(p.simTimeNs)}  ${p.published.toLocaleString("en-US")} msgs  ${Math.round(p.rate).toLocaleString("en-US")} msg/s`),
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
    const what = dest === "bronze" ? `Bronze lake at ${cfg.dataRoot}` : dest === "dbn" ? `DBN files in ${resolve((args.out as string | undefined) ?? "dbn")}` : `NATS ${cfg.natsUrl}`;
    console.log(`${dates.length} day(s) → ${what} in ${totalS.toFixed(2)} s (seed ${seed}, scale ${scaleName})`);
  },
});

/** The leading columns of a day's summary row: what was simulated. */
function daySummary(date: string, day: SimDay, mbpRows = day.mbp10.numRows): Record<string, unknown> {
  return {
    date,
    contracts: day.contracts.map((c) => `${c.symbol} ${(c.share * 100).toFixed(0)}%`).join(", "),
    trades: day.trades.numRows,
    mbp10: mbpRows,
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
