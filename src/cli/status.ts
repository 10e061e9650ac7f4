import { defineCommand } from "citty";
import { configArgs, configFromArgs, printResult } from "./common";

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
    printResult(args.json, { root: cfg.dataRoot, nats: st.nats, consumers: st.consumers }, () => {
      const rows = [
        ["SCHEMA", "CONSUMER", "LAG", "ACK FLOOR", "COMMITTED SEQ", "LAST COMMIT", "FILES", "ROWS", "QUARANTINED"],
        ...st.consumers.map((c) => [
          c.table, c.consumer, c.lag === null ? "?" : String(c.lag), c.ackFloor === null ? "?" : String(c.ackFloor),
          String(c.watermark), c.lastCommitAt ?? "never", String(c.files), String(c.rows), String(c.quarantined),
        ]),
      ];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      const lines = rows.map((r) => r.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd());
      return [...lines, `root: ${cfg.dataRoot}   nats: ${cfg.natsUrl} (${st.nats})`].join("\n");
    });
  },
});
