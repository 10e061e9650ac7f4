import { defineCommand } from "citty";
import { configArgs, configFromArgs, printResult } from "./common";
import { table } from "./table";

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
      return `${table(rows)}\nroot: ${cfg.dataRoot}   nats: ${cfg.natsUrl} (${st.nats})`;
    });
  },
});
