import { defineCommand } from "citty";
import { describeConfig } from "../config";
import { configArgs, configFromArgs } from "./common";

export default defineCommand({
  meta: { name: "config", description: "Show the effective configuration (secrets redacted) and where each value came from" },
  args: { ...configArgs },
  run({ args }) {
    const cfg = configFromArgs(args);
    const rows = describeConfig(cfg);
    if (args.json) {
      console.log(JSON.stringify(Object.fromEntries(rows.map((r) => [r.variable, { value: r.value, source: r.source }])), null, 2));
      return;
    }
    const w = Math.max(...rows.map((r) => r.variable.length));
    for (const r of rows) console.log(`${r.variable.padEnd(w)}  ${String(r.value ?? "(unset)").padEnd(40)}  ${r.source}`);
  },
});
