/** `lake contracts --date D`: the front-month decision for a date, with the volumes behind it (contracts §6.3). */
import { defineCommand } from "citty";
import { UsageError } from "../errors";
import { ContractSelector, type SelectionMetric } from "../read/futures-contracts";
import { LakeFiles } from "../read/lake-files";
import { checkDate } from "../core/validate";
import { toJson } from "../read/cli-args";
import { configArgs, configFromArgs, numberFlag, snakeKeys } from "./common";

export default defineCommand({
  meta: { name: "contracts", description: "Front-month contract for a date (RTH, America/New_York) with per-contract volumes" },
  args: {
    date: { type: "string", description: "UTC date YYYY-MM-DD", required: true },
    symbol: { type: "string", description: "product root (default ES)" },
    metric: { type: "string", description: "trade_count (default) | volume" },
    "all-day": { type: "boolean", description: "count the whole UTC day, not just RTH" },
    threshold: { type: "string", description: "dominance threshold 0..1 (default 0.6)" },
    ...configArgs,
  },
  async run({ args }) {
    const cfg = configFromArgs(args);
    const date = checkDate(String(args.date), "--date")!;
    const metric = (args.metric ?? "trade_count") as SelectionMetric;
    if (metric !== "trade_count" && metric !== "volume") throw new UsageError(`--metric must be trade_count or volume, got ${JSON.stringify(args.metric)}`);
    const threshold = numberFlag("threshold", args.threshold, { min: 0, max: 1 });
    const selector = new ContractSelector(new LakeFiles(cfg), { rthOnly: !args["all-day"], dominanceThreshold: threshold });
    const sel = await selector.selectFrontMonth(date, metric, (args.symbol as string | undefined) ?? "ES");
    if (args.json) {
      console.log(toJson(snakeKeys(sel)));
      return;
    }
    const win = sel.window
      ? `${new Date(Number(sel.window.startNs / 1_000_000n)).toISOString()} .. ${new Date(Number(sel.window.endNs / 1_000_000n)).toISOString()}`
      : "whole UTC day";
    const lines = [
      `date          ${sel.date}`,
      `front month   ${sel.frontMonthSymbol}${sel.rollContaminated ? "  (ROLL-CONTAMINATED)" : ""}${sel.legacyRootSymbol ? "  (legacy root symbol)" : ""}`,
      `dominance     ${(sel.dominanceRatio * 100).toFixed(2)}% by ${sel.metric}`,
      `calendar      ${sel.calendarSymbol || "-"}`,
      `window        ${win}`,
      `reason        ${sel.reason}`,
      "",
    ];
    const w = Math.max(8, ...sel.contracts.map((c) => c.symbol.length));
    lines.push(`${"contract".padEnd(w)}  ${"trades".padStart(10)}  ${"volume".padStart(12)}  ${"share".padStart(8)}`);
    for (const c of sel.contracts) {
      lines.push(`${c.symbol.padEnd(w)}  ${String(c.trades).padStart(10)}  ${String(c.volume).padStart(12)}  ${(c.share * 100).toFixed(2).padStart(7)}%`);
    }
    console.log(lines.join("\n"));
  },
});
