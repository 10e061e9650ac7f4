import { defineCommand } from "citty";
import { describeConfig } from "../config";
import { configArgs, configFromArgs } from "./common";
import { table } from "./table";

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
    console.log(table([["VARIABLE", "VALUE", "SOURCE"], ...rows.map((r) => [r.variable, r.value === null || r.value === undefined ? "(unset)" : String(r.value), r.source])]));
  },
});
