/**
 * `lake query "<SQL>"`: DuckDB SQL over views of the lake (src/read/views.ts):
 * bronze_futures_trades, bronze_futures_mbp10, bronze_option_trades, gold_level_signals,
 * silver_features (all versions, `version` column), gold_training (`dataset` column).
 * Results stream from DuckDB to the output, batch by batch.
 */
import { defineCommand } from "citty";
import { UsageError } from "../errors";
import { DuckSession } from "../read/duck";
import { LakeFiles } from "../read/lake-files";
import { outputArgs, parseOutput } from "../read/cli-args";
import { writeResult } from "../read/output";
import { LAKE_VIEWS, registerViews } from "../read/views";
import { configArgs, configFromArgs, localRoot } from "./common";
import { bucketTiers, pullSilver } from "../app/bucket-tiers";
import { pullGold } from "../app/bucket-gold";
import { SilverFeatureBuilder } from "../silver/builder";

export default defineCommand({
  meta: {
    name: "query",
    description: `Run DuckDB SQL over the lake. Views: ${LAKE_VIEWS.map((v) => v.name).join(", ")}`,
  },
  args: {
    sql: { type: "positional", description: "the SQL query (use - to read it from stdin)", required: true },
    ...outputArgs,
    ...configArgs,
  },
  async run({ args }) {
    const started = performance.now();
    const cfg = configFromArgs(args);
    const output = parseOutput(args, started);
    let sql = String(args.sql ?? "");
    if (sql === "-") sql = await Bun.stdin.text();
    if (!sql.trim()) throw new UsageError("empty SQL");
    const files = new LakeFiles(cfg);
    // Silver and Gold training sets live in the local root: with the lake on S3 (contracts §7),
    // or wherever LAKE_LOCAL_ROOT puts them
    const local = cfg.localRoot && cfg.localRoot !== cfg.dataRoot ? new LakeFiles(cfg.localRoot) : files;
    const bucket = bucketTiers(cfg);
    if (bucket && /silver_features|gold_training/i.test(sql)) {
      // on a bucket lake they are published there: bring the working copy up to date first
      const root = localRoot(cfg);
      await pullSilver(bucket, new SilverFeatureBuilder(root));
      await pullGold(bucket, root);
    }
    using _held = files.hold(); // the views' files stay in the S3 cache until the query has run
    using s = await DuckSession.open();
    await registerViews(s, files, sql, local);
    await writeResult(s.stream(sql), output);
  },
});
