/**
 * `lake ingest repair --durable NAME`: rebuild a torn commit or intent record of one
 * ingest consumer from the files' own stream-sequence metadata (src/ingest/repair.ts).
 * Run it with every `lake serve` on this root stopped.
 */
import { defineCommand } from "citty";
import { UsageError } from "../errors";
import { openStore } from "../storage/index";
import { configArgs, configFromArgs, printResult } from "./common";

const repair = defineCommand({
  meta: { name: "repair", description: "Rebuild a torn _ingest/{durable}/commit.json or intent.json from the files' seq-range metadata (stop lake serve first)" },
  args: {
    ...configArgs,
    durable: { type: "string", description: "the consumer, e.g. bronze_writer_market_futures_trades (named in lake serve's refusal)" },
    "trust-files": { type: "boolean", description: "both records torn: rebuild from every file present (the newest flush may be incomplete)" },
  },
  async run({ args }) {
    if (!args.durable) throw new UsageError("--durable is required (the consumer named in lake serve's message)");
    const cfg = configFromArgs(args);
    const { repairIngest } = await import("../ingest/main/repair");
    const r = await repairIngest(openStore(cfg), args.durable, { trustFiles: !!args["trust-files"] });
    printResult(args.json, r, () => {
      if (r.commitWas !== "torn" && r.intentWas !== "torn") return `${r.durable}: commit record ${r.commitWas}, intent ${r.intentWas} — nothing to repair`;
      const lines = [
        `${r.durable}: commit record was ${r.commitWas}, intent was ${r.intentWas}; scanned ${r.filesScanned} files`,
        r.rebuilt ? `rebuilt commit.json: flush ${r.commit.flushId}, watermark ${r.commit.watermark}, ${r.commit.filesTotal} files, ${r.commit.rowsTotal} rows, ${r.commit.quarantinedTotal} quarantined` : `commit.json kept: flush ${r.commit.flushId}, watermark ${r.commit.watermark}`,
        r.removed.length ? `removed ${r.removed.length} files of a flush that never committed (its messages were never acked):\n  ${r.removed.join("\n  ")}` : "no uncommitted files",
      ];
      return lines.join("\n");
    });
  },
});

export default defineCommand({
  meta: { name: "ingest", description: "Maintenance of the streaming ingest's commit records" },
  subCommands: { repair },
});
