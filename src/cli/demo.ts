/**
 * `lake demo` (issue 9 §4): the whole medallion on a throw-away local lake, in one command.
 * A private nats-server (unless --nats-url/NATS_URL names a reachable one), `lake serve`
 * streaming the simulator's days into Bronze + Gold signals, a Silver build on the worker
 * pool, a Gold promotion and validation, then a short report. Every process it started is
 * stopped, by PID, whatever happens.
 */
import { defineCommand } from "citty";
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync } from "node:fs";
import { canConnect, freePort, waitForListening } from "../util/net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { LakeError, UsageError } from "../errors";
import { GoldCurator } from "../gold/curator";
import { validateDataset } from "../gold/validate";
import { esPipelineManifest } from "../silver/baselines";
import { checkDate } from "../silver/names";
import { fmtInt, fmtSeconds } from "../silver/report";
import { table } from "./table";
import { configArgs, configFromArgs, parseWorkers, workersArg } from "./common";
import { localBronze } from "../silver/lineage";
import { buildOnPool } from "./silver";
import { isCompiled } from "../runtime/workers";

/** How to run this same lake: the compiled binary itself, or `bun src/main.ts`. */
function selfCommand(): string[] {
  return isCompiled() ? [process.execPath] : [process.execPath, Bun.main];
}

function reachable(url: string, timeoutMs = 500): Promise<boolean> {
  const u = new URL(url);
  return canConnect(Number(u.port || 4222), u.hostname, timeoutMs);
}

function findNatsServer(): string | null {
  return Bun.which("nats-server") ?? ["/usr/sbin/nats-server", "/usr/local/bin/nats-server", "/usr/bin/nats-server"].find(existsSync) ?? null;
}

class Processes {
  private readonly procs: { name: string; p: Subprocess }[] = [];
  spawn(name: string, cmd: string[], logDir: string): Subprocess {
    const out = openSync(join(logDir, `${name}.log`), "a");
    const p = Bun.spawn(cmd, { stdout: out, stderr: out, stdin: "ignore" });
    this.procs.push({ name, p });
    return p;
  }
  /** SIGTERM, then SIGKILL after `graceMs`; returns the exit code. */
  async stop(p: Subprocess, graceMs = 30_000): Promise<number | null> {
    if (p.exitCode !== null || p.signalCode !== null) return p.exitCode;
    p.kill("SIGTERM");
    const t = setTimeout(() => p.kill("SIGKILL"), graceMs);
    await p.exited;
    clearTimeout(t);
    return p.exitCode;
  }
  async stopAll(): Promise<void> {
    for (const { p } of [...this.procs].reverse()) await this.stop(p, 10_000);
  }
}

const TABLE_DIRS = { trades: "bronze/futures/trades", mbp10: "bronze/futures/mbp10", options: "bronze/options/trades", signals: "gold/levels/signals" } as const;

function parquetFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile() && e.name.endsWith(".parquet")) out.push(join(e.parentPath, e.name));
  return out;
}

/**
 * Rows, files and bytes per table. This runs every 500 ms while Bronze fills: only footers
 * are read, and each file's once (`seen`; lake files are never rewritten).
 */
async function rowCounts(root: string, seen: Map<string, number>): Promise<Record<keyof typeof TABLE_DIRS, { rows: number; files: number; bytes: number }>> {
  const { readParquetInfo } = await import("../parquet");
  const out = {} as Record<keyof typeof TABLE_DIRS, { rows: number; files: number; bytes: number }>;
  for (const [k, d] of Object.entries(TABLE_DIRS) as [keyof typeof TABLE_DIRS, string][]) {
    let rows = 0;
    let bytes = 0;
    const files = parquetFiles(join(root, d));
    for (const f of files) {
      const file = Bun.file(f);
      let n = seen.get(f);
      if (n === undefined) {
        n = (await readParquetInfo({ byteLength: file.size, slice: (start: number, end?: number) => file.slice(start, end).arrayBuffer() })).numRows;
        seen.set(f, n);
      }
      rows += n;
      bytes += file.size;
    }
    out[k] = { rows, files: files.length, bytes };
  }
  return out;
}

export default defineCommand({
  meta: { name: "demo", description: "The whole medallion in one command: simulate → NATS → lake serve → Bronze → Silver → Gold, with a report" },
  args: {
    ...configArgs,
    dir: { type: "string", description: "work directory (default: a new temp dir); the lake goes in DIR/lake" },
    from: { type: "string", description: "first simulated trading date (default 2026-03-02)" },
    days: { type: "string", description: "simulated weekdays (default 2: the first is the second's warm-up)" },
    scale: { type: "string", description: "light (default) | normal | heavy" },
    seed: { type: "string", description: "simulator seed (default 1)" },
    workers: { ...workersArg, description: "Silver worker threads (default: CPU cores)" },
  },
  async run({ args }) {
    const t0 = performance.now();
    const cfg = configFromArgs(args);
    const from = checkDate(args.from ?? "2026-03-02");
    const days = Number(args.days ?? 2);
    if (!Number.isInteger(days) || days < 1 || days > 10) throw new UsageError(`--days must be 1..10, got ${JSON.stringify(args.days)}`);
    const scale = args.scale ?? "light";
    if (!["light", "normal", "heavy"].includes(scale)) throw new UsageError(`--scale must be light, normal or heavy, got ${JSON.stringify(scale)}`);
    const workers = parseWorkers(args.workers || undefined);
    const dir = resolve(args.dir ?? mkdtempSync(join(tmpdir(), "lake-demo-")));
    const root = join(dir, "lake");
    const logs = join(dir, "logs");
    mkdirSync(logs, { recursive: true });
    const say = (m: string) => !args.json && process.stderr.write(`demo: ${m}\n`);
    const self = selfCommand();
    const procs = new Processes();
    const onSignal = () => void procs.stopAll().then(() => process.exit(130));
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      // 1. NATS: an explicitly configured reachable server, else a private one (never the default shared one)
      let natsUrl = cfg.natsUrl;
      const explicit = cfg.sources.NATS_URL !== "default";
      if (!(explicit && (await reachable(natsUrl)))) {
        const bin = findNatsServer();
        if (!bin) throw new LakeError("nats-server not found on PATH (or /usr/sbin): install it (e.g. apt-get install nats-server) or pass --nats-url of a running JetStream server");
        const port = await freePort();
        const p = procs.spawn("nats-server", [bin, "-js", "-a", "127.0.0.1", "-p", String(port), "-sd", join(dir, "nats")], logs);
        await waitForListening(p, port, 10_000, "nats-server");
        natsUrl = `nats://127.0.0.1:${port}`;
        say(`started a private nats-server at ${natsUrl} (pid ${p.pid})`);
      } else say(`using NATS at ${natsUrl}`);

      // 2. lake serve, then the simulator publishing onto NATS
      const serve = procs.spawn("serve", [...self, "serve", "--data-root", root, "--nats-url", natsUrl, "--summary-interval", "5"], logs);
      say(`lake serve running (pid ${serve.pid}); simulating ${days} ${scale} day(s) from ${from}…`);
      const sim = Bun.spawn([...self, "simulate", "--from", from, "--days", String(days), "--scale", scale, "--seed", args.seed ?? "1", "--to", "nats", "--nats-url", natsUrl, "--json"], {
        stdout: "pipe",
        stderr: Bun.file(join(logs, "simulate.log")),
      });
      const simOut = await new Response(sim.stdout).text();
      if ((await sim.exited) !== 0) throw new LakeError(`lake simulate failed (exit ${sim.exitCode}); see ${join(logs, "simulate.log")}`);
      const simRes = JSON.parse(simOut) as { seconds: number; days: { date: string; trades: number; mbp10: number; options: number; signals: number; published: number }[] };
      const want = { trades: 0, mbp10: 0, options: 0, published: 0 };
      for (const d of simRes.days) {
        want.trades += d.trades;
        want.mbp10 += d.mbp10;
        want.options += d.options;
        want.published += d.published;
      }
      say(`published ${fmtInt(want.published)} messages in ${fmtSeconds(simRes.seconds)}; waiting for Bronze to hold them…`);

      // 3. wait until Bronze holds every published row (exactly once), then stop serve (final flush)
      const t1 = performance.now();
      const footerRows = new Map<string, number>();
      let counts = await rowCounts(root, footerRows);
      let lastTotal = -1;
      let lastChange = performance.now();
      // give up after 90 s, or after 20 s without a single new row (a stuck writer is reported, not waited on)
      while (performance.now() - t1 < 90_000 && performance.now() - lastChange < 20_000 && serve.exitCode === null) {
        if (counts.trades.rows >= want.trades && counts.mbp10.rows >= want.mbp10 && counts.options.rows >= want.options) break;
        await Bun.sleep(500);
        counts = await rowCounts(root, footerRows);
        const total = counts.trades.rows + counts.mbp10.rows + counts.options.rows;
        if (total !== lastTotal) {
          lastTotal = total;
          lastChange = performance.now();
        }
      }
      const serveExit = await procs.stop(serve, 40_000);
      counts = await rowCounts(root, footerRows);
      const ingestS = (performance.now() - t1) / 1000 + simRes.seconds;
      say(`lake serve stopped (exit ${serveExit})`);

      // 4. Silver on the worker pool, 5. Gold promote + validate
      const dates = simRes.days.map((d) => d.date);
      const silver = await buildOnPool({ root, bronze: localBronze(root) }, esPipelineManifest(), dates, { force: true, workers, variant: "reference", quiet: args.json });
      const curator = new GoldCurator(root);
      const promotion = silver.signals_total > 0 ? await curator.promoteToTraining("es_pipeline", { force: true, notes: "lake demo" }) : null;
      const validation = promotion?.status === "success" ? await validateDataset(curator, "signals_production") : null;
      const labels = validation?.label_distribution ?? {};
      // label balance is a property of two simulated light days, not of the lake's correctness:
      // the demo reports it as a warning; every integrity check must pass
      const failed = validation?.checks.filter((c) => !c.pass) ?? [];
      const warnings = failed.filter((c) => c.name === "label_distribution").map((c) => `${c.name}: ${c.detail}`);
      const integrityFailed = failed.filter((c) => c.name !== "label_distribution").map((c) => `${c.name}: ${c.detail}`);
      const ok =
        counts.trades.rows === want.trades &&
        counts.mbp10.rows === want.mbp10 &&
        counts.options.rows === want.options &&
        silver.status === "success" &&
        validation !== null &&
        integrityFailed.length === 0;

      const report = {
        ok,
        dir,
        data_root: root,
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
        silver: { status: silver.status, dates: silver.dates_processed, rows: silver.signals_total, errors: silver.errors, label_distribution: labels },
        gold: { promotion, validation: validation ? { ok: validation.ok, passed: validation.checks.length - failed.length, checks: validation.checks.length, failed: integrityFailed, warnings } : null },
        next: `lake query --data-root ${root} "select level_kind_name, outcome, count(*) n from silver_features group by all order by n desc"`,
      };
      if (args.json) console.log(JSON.stringify(report, null, 2));
      else {
        const r = report.ingest;
        console.log(
          [
            `lake demo — ${ok ? "OK" : "FAILED"} in ${fmtSeconds(report.seconds)} (lake at ${root})`,
            "",
            table([
              ["TABLE", "PUBLISHED", "IN LAKE", "FILES", "MB"],
              ["futures.trades", r.expected.trades, r.bronze.trades.rows, r.bronze.trades.files, (r.bronze.trades.bytes / 1e6).toFixed(1)],
              ["futures.mbp10", r.expected.mbp10, r.bronze.mbp10.rows, r.bronze.mbp10.files, (r.bronze.mbp10.bytes / 1e6).toFixed(1)],
              ["options.trades", r.expected.options, r.bronze.options.rows, r.bronze.options.files, (r.bronze.options.bytes / 1e6).toFixed(1)],
              ["gold level signals", "-", r.gold_signals.rows, r.gold_signals.files, (r.gold_signals.bytes / 1e6).toFixed(1)],
            ]),
            `ingested ${fmtInt(r.published)} messages at ${fmtInt(r.msgs_per_s)} msg/s end to end`,
            `Silver es_pipeline: ${silver.status}, ${fmtInt(silver.signals_total)} rows over ${silver.dates_processed} date(s); outcomes ${JSON.stringify(labels)}`,
            ...silver.errors.map((e) => `  ${e}`),
            promotion ? `Gold signals_production: ${promotion.status}${promotion.status === "success" ? `, ${fmtInt(promotion.signal_count)} rows` : ` (${promotion.reason})`}` : "Gold: nothing to promote",
            ...(validation
              ? [
                  `Gold validation: ${validation.checks.length - failed.length}/${validation.checks.length} checks passed${integrityFailed.length ? `; FAILED ${integrityFailed.join("; ")}` : ""}`,
                  ...warnings.map((w) => `  warning — ${w} (two simulated light days are too few events for a balanced training set; \`lake gold validate\` applies the limits strictly)`),
                ]
              : []),
            "",
            `try next:  ${report.next}`,
          ].join("\n"),
        );
      }
      if (!ok) process.exitCode = 1;
    } finally {
      await procs.stopAll();
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  },
});
