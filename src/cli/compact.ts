/**
 * `lake compact`: merge the files of closed partition-hours into one sorted file per
 * table-hour (docs/compaction.md). Safe to run next to `lake serve` and readers, and to kill.
 */
import { defineCommand } from "citty";
import { UsageError } from "../errors";
import { BRONZE_TABLES, bronzeTable } from "../schemas/bronze";
import { openStore } from "../storage";
import { configArgs, configFromArgs, dateFlag, numberFlag, printResult } from "./common";
import { table } from "./table";

export default defineCommand({
  meta: {
    name: "compact",
    description: "Merge each closed partition-hour's Bronze files into one sorted ZSTD file (exactly-once kept; readers never see a row twice)",
  },
  args: {
    dates: { type: "string", description: "comma-separated dates YYYY-MM-DD (default: every date)" },
    tables: { type: "string", description: `comma-separated tables (default: all): ${BRONZE_TABLES.map((t) => t.key).join(", ")}` },
    grace: { type: "string", description: "only hours that ended at least this many minutes ago (default 10)" },
    "max-file-mb": { type: "string", description: "split an hour's output above this size in MiB (default 256)" },
    retain: { type: "string", description: "keep compacted inputs this many seconds after their commit (a later run deletes them); default 0: deleted at the end of this run" },
    threads: { type: "string", description: "worker threads that decode and encode hours (default: one per core; 0: this thread only)" },
    "dry-run": { type: "boolean", description: "print what would be merged (files and bytes before → after) and change nothing" },
    ...configArgs,
  },
  async run({ args }) {
    const cfg = configFromArgs(args);
    const dates = args.dates === undefined ? undefined : list(args.dates, "dates").map((d) => dateFlag("dates", d));
    const tables = args.tables === undefined ? undefined : list(args.tables, "tables").map((t) => {
      try {
        return bronzeTable(t);
      } catch {
        throw new UsageError(`--tables: unknown table ${JSON.stringify(t)} (expected ${BRONZE_TABLES.map((x) => x.key).join(", ")})`);
      }
    });
    const graceMin = numberFlag("grace", args.grace, { min: 0, max: 7 * 24 * 60 }) ?? 10;
    const retainS = numberFlag("retain", args.retain, { min: 0 }) ?? 0;
    const maxMb = numberFlag("max-file-mb", args["max-file-mb"], { min: 1, max: 64 * 1024 }) ?? 256;
    const { compactLake } = await import("../compact/run");
    const { log } = await import("../log");
    const { openBatchPool } = await import("../app/pool");
    const { poolMerger } = await import("../app/compaction");
    // Hours are decoded and encoded on the batch pool, committed here; --threads 0 merges in this thread.
    const threads = numberFlag("threads", args.threads, { min: 0, max: 256 }) ?? Math.max(1, navigator.hardwareConcurrency || 1);
    await using pool = threads > 0 ? openBatchPool(threads) : null;
    const report = await compactLake(openStore(cfg), {
      merge: pool ? poolMerger(pool, cfg) : undefined,
      mergeAhead: pool ? pool.size + 1 : 1,
      dates,
      tables,
      graceMs: graceMin * 60_000,
      maxFileBytes: maxMb * 1024 * 1024,
      dryRun: Boolean(args["dry-run"]),
      deleteDelayMs: 2_000,
      retainInputsMs: retainS * 1000,
      log: (level, msg, fields) => log[level](msg, fields),
    });
    printResult(args.json, report, () => {
      const rows = [
        ["TABLE", "PARTITION-HOUR", "FILES", "BYTES", "ROWS", "MS"],
        ...report.hours.map((h) => [
          h.table,
          h.dir.replace(/^bronze\/[^/]+\/[^/]+\//, ""),
          `${h.filesBefore} → ${h.filesAfter}`,
          `${mib(h.bytesBefore)} → ${h.bytesAfter === null ? "?" : mib(h.bytesAfter)}`,
          h.rows === null ? "?" : String(h.rows),
          h.ms.toFixed(0),
        ]),
      ];
      const head = report.dryRun ? "dry run: nothing changed" : `compacted ${report.hours.length} partition-hour(s), ${report.rows} rows`;
      const r = report.recovered;
      const recovered = r.rolledForward + r.orphansDeleted + r.recordsDropped > 0
        ? `\nfinished an interrupted run: ${r.rolledForward} committed hour(s) rolled forward (${r.inputsDeleted} inputs deleted), ${r.orphansDeleted} uncommitted output(s) removed`
        : "";
      const skipped = `\nskipped: ${report.alreadyCompactHours} hour(s) already one file, ${report.inFlightFiles} file(s) of an ingest flush not yet committed`;
      return `${report.hours.length ? table(rows) + "\n" : ""}${head}: files ${report.filesBefore} → ${report.filesAfter}, ${mib(report.bytesBefore)} → ${report.dryRun ? "?" : mib(report.bytesAfter)} in ${(report.ms / 1000).toFixed(1)} s${recovered}${skipped}`;
    });
  },
});

function list(v: string, flag: string): string[] {
  const out = v.split(",").map((s) => s.trim()).filter(Boolean);
  if (!out.length) throw new UsageError(`--${flag} is empty`);
  return out;
}

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
