/**
 * `lake report --date D [--version V] --out report.html`: a day at a glance in one
 * self-contained HTML file; `--dates A..B` writes a page per day beside an overview that
 * links them.
 */
import { defineCommand } from "citty";
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { LakeError, UsageError } from "../errors";
import { progress } from "../log";
import { checkDate, checkVersion, dateRange } from "../core/validate";
import { bronzeTradeDates } from "../silver/lineage";
import { collectDay } from "../app/report/day-data";
import { dayHtml, overviewHtml } from "../app/report/html";
import { configArgs, configFromArgs, printResult } from "./common";
import { bucketTiers, pullSilver } from "../app/bucket-tiers";
import { pullGold } from "../app/bucket-gold";
import { SilverFeatureBuilder } from "../silver/builder";

export default defineCommand({
  meta: { name: "report", description: "A day at a glance as one self-contained HTML file (price, levels, Silver events, distributions, labels, data quality, Gold checks)" },
  args: {
    date: { type: "string", description: "the day YYYY-MM-DD" },
    dates: { type: "string", description: "A..B: a page per Bronze date in the range plus an overview linking them" },
    version: { type: "string", description: "Silver version (default es_pipeline)" },
    out: { type: "string", description: "output file (default report-DATE.html, or report.html for --dates)" },
    ...configArgs,
  },
  async run({ args }) {
    const cfg = configFromArgs(args);
    const version = checkVersion(args.version ?? "es_pipeline");
    if ((args.date === undefined) === (args.dates === undefined)) throw new UsageError("give --date D or --dates A..B");
    const t0 = performance.now();
    // an s3:// lake: the version and the training set are read from the working copy, brought up to the bucket
    const bucket = bucketTiers(cfg);
    if (bucket && cfg.localRoot) {
      await pullSilver(bucket, new SilverFeatureBuilder(cfg.localRoot));
      await pullGold(bucket, cfg.localRoot);
    }
    if (args.date !== undefined) {
      const date = checkDate(args.date, "--date")!;
      const out = resolve(args.out ?? `report-${date}.html`);
      const r = await collectDay(cfg, cfg.localRoot, date, version);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, dayHtml(r));
      const summary = { out, date, version: r.version, events: r.events.length, bars: r.bars.length, seconds: Number(((performance.now() - t0) / 1000).toFixed(2)) };
      printResult(args.json, summary, () => `wrote ${out}: ${r.bars.length} minute bars, ${r.events.length} Silver events (${summary.seconds} s)`);
      return;
    }
    const m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(args.dates!);
    if (!m) throw new UsageError(`--dates must be A..B (e.g. 2026-03-02..2026-03-06), got ${JSON.stringify(args.dates)}`);
    const range = new Set(dateRange(checkDate(m[1]!, "--dates")!, checkDate(m[2]!, "--dates")!));
    const days = (await bronzeTradeDates(cfg)).filter((d) => range.has(d));
    if (!days.length) throw new LakeError(`no Bronze futures trades between ${m[1]} and ${m[2]} under ${cfg.dataRoot}`);
    const out = resolve(args.out ?? "report.html");
    mkdirSync(dirname(out), { recursive: true });
    const rows = [];
    for (const date of days) {
      const r = await collectDay(cfg, cfg.localRoot, date, version);
      const file = `${basename(out, ".html")}-${date}.html`;
      writeFileSync(join(dirname(out), file), dayHtml(r));
      progress(`report ${date}: ${r.events.length} events`);
      const outcomes: Record<string, number> = {};
      for (const e of r.events) outcomes[e.outcome] = (outcomes[e.outcome] ?? 0) + 1;
      const trades = r.quality.find((q) => q.table === "futures.trades");
      rows.push({ date, file, events: r.events.length, rows: trades?.rows ?? 0, duplicates: r.quality.reduce((s, q) => s + q.exact_duplicates, 0), outcomes });
    }
    writeFileSync(out, overviewHtml(rows));
    printResult(args.json, { out, days: rows }, () => `wrote ${out} and ${rows.length} day page(s) (${((performance.now() - t0) / 1000).toFixed(2)} s)`);
  },
});
