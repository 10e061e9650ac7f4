import { defineCommand } from "citty";
import { configArgs, configFromArgs } from "./common";

export default defineCommand({
  meta: {
    name: "status",
    description: "Ingest status per schema: consumer lag, last commit time, files/rows written, quarantined",
  },
  args: { ...configArgs },
  async run({ args }) {
    const cfg = configFromArgs(args);
    const { ingestStatus } = await import("../ingest/status");
    const st = await ingestStatus(cfg);
    if (args.json) {
      console.log(JSON.stringify({ root: cfg.dataRoot, nats: st.nats, consumers: st.consumers }, null, 2));
      return;
    }
    const rows = [
      ["SCHEMA", "CONSUMER", "LAG", "ACK FLOOR", "COMMITTED SEQ", "LAST COMMIT", "FILES", "ROWS", "QUARANTINED"],
      ...st.consumers.map((c) => [
        c.table, c.consumer, c.lag === null ? "?" : String(c.lag), c.ackFloor === null ? "?" : String(c.ackFloor),
        String(c.watermark), c.lastCommitAt ?? "never", String(c.files), String(c.rows), String(c.quarantined),
      ]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) console.log(r.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd());
    console.log(`root: ${cfg.dataRoot}   nats: ${cfg.natsUrl} (${st.nats})`);
  },
});
