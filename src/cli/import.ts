/**
 * `lake import dbn FILE… [--schema auto|trades|mbp10|options] [--definitions FILE[,FILE…]]`
 * Databento DBN files (v1–v3, plain or zstd; `-` = standard input) → Bronze, exactly once (docs/dbn.md).
 */
import { defineCommand } from "citty";
import { UsageError } from "../errors";
import { openBatchPool } from "../app/pool";
import { poolEncoder } from "../dbn/encode-task";
import { importDbnFiles } from "../dbn/import";
import type { ImportSchema } from "../dbn/bronze-rows";
import { openStore } from "../storage";
import { configArgs, configFromArgs, lakeBackend } from "./common";
import { printTable } from "./table";

const SCHEMAS: readonly ImportSchema[] = ["auto", "trades", "mbp10", "options"];

function listFlag(v: unknown): string[] {
  if (v === undefined || v === null || v === "") return [];
  const parts = (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(",")).map((s) => s.trim()).filter(Boolean);
  return parts;
}

const dbn = defineCommand({
  meta: { name: "dbn", description: "Import Databento DBN files (trades, MBP-10; v1-v3, plain or zstd; - reads standard input) into Bronze, exactly once" },
  args: {
    schema: { type: "string", description: "auto (from the file) | trades (futures only) | mbp10 | options (option trades only); default auto" },
    definitions: { type: "string", description: "instrument definition DBN file(s), comma-separated: option strike/right/expiry/underlying, contract symbols" },
    "batch-rows": { type: "string", description: "rows per columnar batch (default 262144; bounds memory)" },
    workers: { type: "string", description: "batch workers that encode while this thread decodes (default 0: encode here, one core)" },
    ...configArgs,
  },
  async run({ args }) {
    const files = (args._ as string[] | undefined) ?? [];
    if (!files.length) throw new UsageError("lake import dbn: give at least one DBN file (- reads standard input)");
    const schema = ((args.schema as string | undefined) ?? "auto") as ImportSchema;
    if (!SCHEMAS.includes(schema)) throw new UsageError(`--schema must be one of ${SCHEMAS.join(", ")}, got ${JSON.stringify(args.schema)}`);
    let batchRows: number | undefined;
    if (args["batch-rows"] !== undefined) {
      batchRows = Number(args["batch-rows"]);
      if (!Number.isInteger(batchRows) || batchRows < 1 || batchRows > 4_194_304) throw new UsageError(`--batch-rows must be an integer in 1..4194304, got ${JSON.stringify(args["batch-rows"])}`);
    }
    const workers = args.workers === undefined ? 0 : Number(args.workers);
    if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new UsageError(`--workers must be an integer in 0..64, got ${JSON.stringify(args.workers)}`);
    const cfg = configFromArgs(args);
    const store = openStore(lakeBackend(cfg));
    await using pool = workers ? openBatchPool(workers) : null;
    const report = await importDbnFiles(store, files, {
      schema,
      definitions: listFlag(args.definitions),
      batchRows,
      ...(pool ? { encoder: poolEncoder(pool), inFlight: pool.size } : {}),
      log: (line) => process.stderr.write(`lake import: ${line}\n`),
    });
    if (args.json) {
      console.log(JSON.stringify(report, null, 2));
      return;
    }
    printTable(
      report.files.map((f) => ({
        file: f.file, status: f.status, records: f.records, "futures.trades": f.rows["futures.trades"] ?? 0,
        "futures.mbp10": f.rows["futures.mbp10"] ?? 0, "options.trades": f.rows["options.trades"] ?? 0,
        skipped: Object.values(f.skipped).reduce((a, b) => a + b, 0), duplicates: f.duplicatesDropped, files: f.files, seconds: f.seconds.toFixed(2),
      })),
    );
    for (const f of report.files) {
      for (const [reason, n] of Object.entries(f.skipped)) process.stderr.write(`lake import: ${f.file}: skipped ${n} record(s): ${reason}\n`);
    }
  },
});

export default defineCommand({
  meta: { name: "import", description: "Import vendor files into Bronze" },
  subCommands: { dbn },
});
