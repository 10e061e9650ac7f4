/**
 * `lake silver lookahead`: which Silver columns see the future (src/silver/lookahead). Exit 1
 * when any non-label column (or the event trigger itself) leaks.
 */
import { defineCommand } from "citty";
import { LakeError, UsageError } from "../errors";
import { analyseLookahead, type LookaheadDateRunner, type LookaheadReport } from "../silver/lookahead/analyse";
import { readerInput } from "../silver/pipeline/bronze-input";
import type { ConfigOverrides } from "../silver/pipeline/config";
import { lineageOf, SilverFeatureBuilder } from "../silver/builder";
import { bronzeDatesArgs, configArgs, configFromArgs, lakeBackend, localRoot } from "./common";
import { resolveDates, versionAndVariant } from "./silver";
import { formatLookahead } from "../silver/lookahead/report";
import { bucketTiers, pullSilver } from "../app/bucket-tiers";

function count(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

export default defineCommand({
  meta: { name: "lookahead", description: "Re-run the pipeline on Bronze cut at each event's decision time; report the columns that change (look-ahead)" },
  args: {
    ...configArgs,
    version: { type: "string", description: "es_pipeline (reference variant, default) or es_pipeline_pit (corrected variant)" },
    variant: { type: "string", description: "reference | corrected (alone: es_pipeline_pit)" },
    ...bronzeDatesArgs,
    sample: { type: "string", description: "analyse a random sample of N events (all dates together)" },
    seed: { type: "string", description: "seed of --sample (default 0)" },
    json: { type: "boolean", description: "machine-readable report" },
    distributed: { type: "boolean", description: "run the dates on `lake worker` processes through LAKE_TASKS instead of here (same report)" },
  },
  async run({ args }) {
    const cfg = configFromArgs(args);
    const asked = versionAndVariant(args);
    const sample = count("sample", args.sample);
    const seed = args.seed === undefined ? 0 : Number(args.seed);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be a non-negative integer, got ${JSON.stringify(args.seed)}`);
    const b = new SilverFeatureBuilder(localRoot(cfg), { bronze: lakeBackend(cfg) });
    const bucket = bucketTiers(cfg);
    if (bucket) await pullSilver(bucket, b);
    // a built version: analyse the variant (unless --variant says otherwise) and config overrides it was built with
    const built = asked.version !== undefined ? b.getManifest(asked.version) : null;
    const variant = (args.variant === undefined && built && lineageOf(built)?.variant) || asked.variant;
    const version = asked.version;
    const dates = await resolveDates(b, args);
    const config = (built?.parameters.custom?.config_overrides ?? undefined) as ConfigOverrides | undefined;
    const analyse = (runDates?: LookaheadDateRunner) =>
      analyseLookahead({
        bronze: readerInput(lakeBackend(cfg)),
        dates,
        variant,
        version: version ?? "es_pipeline",
        config,
        sample,
        seed,
        runDates,
        onProgress: args.json || !process.stderr.isTTY ? undefined : (done, total) => process.stderr.write(`\r${done}/${total} ${runDates ? "dates" : "events"}`),
      });
    let r: LookaheadReport;
    if (args.distributed) {
      const { withDistributedLookahead } = await import("../app/distributed-build");
      r = await withDistributedLookahead({ url: cfg.natsUrl, replicas: cfg.natsReplicas }, { variant, config, bronze: lakeBackend(cfg) }, analyse);
    } else r = await analyse();
    if (!args.json && process.stderr.isTTY) process.stderr.write("\n");
    if (!r.dates.length) throw new LakeError(`nothing to analyse: ${r.dates_skipped.map((s) => `${s.date} (${s.reason})`).join(", ")}`);
    console.log(args.json ? JSON.stringify(r, null, 2) : formatLookahead(r));
    if (r.leaking.length) process.exitCode = 1;
  },
});
