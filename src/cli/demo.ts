/**
 * `lake demo`: the whole medallion on a throw-away local lake, in one command.
 * A private nats-server (unless --nats-url/NATS_URL names a reachable one), `lake serve`
 * streaming the simulator's days into Bronze + Gold signals, a Silver build on the worker
 * pool, a Gold promotion and validation, then a short report. Every process it started is
 * stopped, by PID, whatever happens. The steps live in src/app/demo.ts.
 */
import { defineCommand } from "citty";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { UsageError } from "../errors";
import { isQuiet, progress } from "../log";
import { checkDate } from "../core/validate";
import { fmtInt, fmtSeconds } from "../silver/report";
import { table } from "./table";
import { configArgs, configFromArgs, parseWorkers, snakeKeys, workersArg } from "./common";
import { buildAndCurate, judge, natsForDemo, publishSimulatedDays, waitForBronze, type Curated, type DemoPlace, type Verdict } from "../app/demo";
import { Processes, selfCommand } from "../app/processes";
import { s3ForDemo } from "../app/demo-s3";
import { LakeFiles } from "../read/lake-files";
import { s3Store } from "../storage";

export default defineCommand({
  meta: { name: "demo", description: "The whole medallion in one command: simulate → NATS → lake serve → Bronze → Silver → Gold, with a report" },
  args: {
    ...configArgs,
    dir: { type: "string", description: "work directory, kept afterwards; the lake goes in DIR/lake (default: a temp dir, deleted at the end with its NATS store)" },
    from: { type: "string", description: "first simulated trading date (default 2026-03-02)" },
    days: { type: "string", description: "simulated weekdays (default 2: the first is the second's warm-up)" },
    scale: { type: "string", description: "light (default) | normal | heavy" },
    seed: { type: "string", description: "simulator seed (default 1)" },
    workers: { ...workersArg, description: "Silver worker threads (default: CPU cores)" },
    s3: { type: "boolean", description: "the lake in a bucket: DATA_ROOT=s3://… when configured, else a private S3 emulator (s3rver); Silver and Gold are published there" },
  },
  async run({ args }) {
    const t0 = performance.now();
    const cfg = configFromArgs(args);
    const sim = { from: checkDate(args.from ?? "2026-03-02"), days: Number(args.days ?? 2), scale: args.scale ?? "light", seed: args.seed ?? "1" };
    if (!Number.isInteger(sim.days) || sim.days < 1 || sim.days > 10) throw new UsageError(`--days must be 1..10, got ${JSON.stringify(args.days)}`);
    if (!["light", "normal", "heavy"].includes(sim.scale)) throw new UsageError(`--scale must be light, normal or heavy, got ${JSON.stringify(sim.scale)}`);
    const workers = parseWorkers(args.workers || undefined);
    const keep = args.dir !== undefined;
    const dir = resolve(args.dir ?? mkdtempSync(join(tmpdir(), "lake-demo-")));
    // a throw-away lake (and its NATS store) is hundreds of MB a run: deleted once its processes are gone
    // a failed run keeps it: its logs say why
    let failed = true;
    const cleanUp = () => {
      if (keep) return;
      if (failed) process.stderr.write(`demo: kept ${dir} (logs in ${join(dir, "logs")}); delete it when done\n`);
      else rmSync(dir, { recursive: true, force: true });
    };
    const place: DemoPlace = { dir, root: join(dir, "lake"), logs: join(dir, "logs") };
    mkdirSync(place.logs, { recursive: true });
    const say = (m: string) => progress(`demo: ${m}`);
    const self = selfCommand();
    const procs = new Processes();
    const onSignal = () =>
      void procs.stopAll().then(() => {
        failed = false; // interrupted on purpose: nothing to investigate
        cleanUp();
        process.exit(130);
      });
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      // 1. NATS, 2. lake serve, then the simulator publishing onto NATS
      const natsUrl = await natsForDemo({ url: cfg.natsUrl, explicit: cfg.sources.NATS_URL !== "default" }, procs, place, say);
      const bucket = args.s3 ? await s3ForDemo(cfg, procs, place, say) : null;
      const lakeRoot = bucket ? bucket.dataRoot : place.root;
      const files = bucket ? new LakeFiles(s3Store(bucket.settings)) : new LakeFiles(place.root);
      const serve = procs.spawn("serve", [...self, "serve", "--data-root", lakeRoot, ...(bucket?.settings.endpoint ? ["--s3-endpoint", bucket.settings.endpoint] : []), "--nats-url", natsUrl, "--summary-interval", "5"], place.logs, bucket?.env);
      say(`lake serve running (pid ${serve.pid}); simulating ${sim.days} ${sim.scale} day(s) from ${sim.from}…`);
      const published = await publishSimulatedDays(self, sim, natsUrl, place.logs);
      say(`published ${fmtInt(published.want.published)} messages in ${fmtSeconds(published.seconds)}; waiting for Bronze to hold them…`);

      // 3. wait until Bronze holds every published row (exactly once), then stop serve (final flush)
      const t1 = performance.now();
      const bronze = await waitForBronze(files, published.want, serve);
      const serveExit = await procs.stop(serve, 40_000);
      const counts = await bronze.counts();
      const ingestS = (performance.now() - t1) / 1000 + published.seconds;
      say(`lake serve stopped (exit ${serveExit})`);

      // 4. Silver on the worker pool, 5. Gold promote + validate
      const curated = bucket
        ? await buildAndCurate(join(dir, "working-copy"), published.dates, workers, isQuiet(), {
            tiers: { store: s3Store(bucket.settings), singleWriter: bucket.singleWriter },
            bronze: { useS3: true, s3: bucket.settings, dataRoot: bucket.dataRoot },
          })
        : await buildAndCurate(place.root, published.dates, workers, isQuiet());
      const verdict = judge(published.want, counts, curated);
      const { want } = published;
      const report = {
        ok: verdict.ok,
        dir,
        data_root: bucket ? bucket.where : place.root,
        nats_url: natsUrl,
        seconds: Number(((performance.now() - t0) / 1000).toFixed(2)),
        ingest: {
          published: want.published,
          msgs_per_s: Math.round(want.published / Math.max(ingestS, 1e-9)),
          expected: { trades: want.trades, mbp10: want.mbp10, options: want.options },
          bronze: { trades: counts.trades, mbp10: counts.mbp10, options: counts.options },
          gold_signals: counts.signals,
          serve_exit: serveExit,
        },
        silver: { status: curated.silver.status, dates: curated.silver.dates_processed, rows: curated.silver.signals_total, errors: curated.silver.errors, label_distribution: curated.validation?.label_distribution ?? {} },
        gold: {
          promotion: curated.promotion,
          validation: curated.validation ? { ok: curated.validation.ok, passed: verdict.passed, checks: curated.validation.checks.length, failed: verdict.failed, warnings: verdict.warnings } : null,
        },
        kept: keep,
        next: bucket
          ? "lake demo --s3 --dir DIR keeps the emulator's files in DIR/s3 and the working copy in DIR/working-copy"
          : keep
          ? `lake query --data-root ${place.root} "select level_kind_name, outcome, count(*) n from silver_features group by all order by n desc"`
          : "lake demo --dir DIR keeps the lake in DIR/lake to query it (this run's was deleted)",
      };
      if (args.json) console.log(JSON.stringify(snakeKeys(report), null, 2));
      else console.log(renderReport(report, curated, verdict));
      if (!verdict.ok) process.exitCode = 1;
      failed = !verdict.ok;
    } finally {
      await procs.stopAll();
      cleanUp();
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  },
});

type DemoReport = {
  ok: boolean;
  kept: boolean;
  data_root: string;
  seconds: number;
  ingest: {
    published: number;
    msgs_per_s: number;
    expected: { trades: number; mbp10: number; options: number };
    bronze: Record<"trades" | "mbp10" | "options", { rows: number; files: number; bytes: number }>;
    gold_signals: { rows: number; files: number; bytes: number };
  };
  next: string;
};

/** The human-readable report: rows published vs in the lake per table, then Silver and Gold. */
function renderReport(report: DemoReport, c: Curated, v: Verdict): string {
  const r = report.ingest;
  const labels = c.validation?.label_distribution ?? {};
  const row = (name: string, expected: number | string, t: { rows: number; files: number; bytes: number }) => [name, expected, t.rows, t.files, (t.bytes / 1e6).toFixed(1)];
  const promotion = c.promotion;
  return [
    `lake demo — ${report.ok ? "OK" : "FAILED"} in ${fmtSeconds(report.seconds)} (${report.kept ? `lake at ${report.data_root}` : "throw-away lake, deleted"})`,
    "",
    table([
      ["TABLE", "PUBLISHED", "IN LAKE", "FILES", "MB"],
      row("futures.trades", r.expected.trades, r.bronze.trades),
      row("futures.mbp10", r.expected.mbp10, r.bronze.mbp10),
      row("options.trades", r.expected.options, r.bronze.options),
      row("gold level signals", "-", r.gold_signals),
    ]),
    `ingested ${fmtInt(r.published)} messages at ${fmtInt(r.msgs_per_s)} msg/s end to end`,
    `Silver es_pipeline: ${c.silver.status}, ${fmtInt(c.silver.signals_total)} rows over ${c.silver.dates_processed} date(s); outcomes ${JSON.stringify(labels)}`,
    ...c.silver.errors.map((e) => `  ${e}`),
    promotion ? `Gold signals_production: ${promotion.status}${promotion.status === "success" ? `, ${fmtInt(promotion.signal_count)} rows` : ` (${promotion.reason})`}` : "Gold: nothing to promote",
    ...(c.validation
      ? [
          `Gold validation: ${v.passed}/${c.validation.checks.length} checks passed${v.failed.length ? `; FAILED ${v.failed.join("; ")}` : ""}`,
          ...v.warnings.map((w) => `  warning — ${w} (two simulated light days are too few events for a balanced training set; \`lake gold validate\` applies the limits strictly)`),
        ]
      : []),
    "",
    `try next:  ${report.next}`,
  ].join("\n");
}
