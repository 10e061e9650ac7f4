import { defineCommand } from "citty";
import { describeConfig } from "../config";
import { configArgs, configFromArgs } from "./common";

export default defineCommand({
  meta: {
    name: "config",
    description: "Show the effective configuration (secrets redacted) and where each value came from",
  },
  args: { ...configArgs },
  run({ args }) {
    const cfg = configFromArgs(args);
    const rows = describeConfig(cfg);
    if (args.json) {
      const out = Object.fromEntries(rows.map((r) => [r.variable, { value: r.value ?? null, source: r.source, flag: r.flag }]));
      console.log(JSON.stringify(out, null, 2));
      return;
    }
    const table = [
      ["VARIABLE", "VALUE", "SOURCE"],
      ...rows.map((r) => [r.variable, r.value === null || r.value === undefined ? "(unset)" : String(r.value), r.source]),
    ];
    const widths = [0, 1].map((c) => Math.max(...table.map((row) => row[c]!.length)));
    for (const row of table) console.log(`${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padEnd(widths[1]!)}  ${row[2]}`);
  },
});
