import { defineCommand } from "citty";
import { LakeError } from "../errors";
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
    const { ingestStatus } = await import("../ingest/main/status");
    const st = await ingestStatus(cfg);
    printResult(args.json, { root: cfg.dataRoot, nats: st.nats, consumers: st.consumers }, () => {
      const rows = [
        ["SCHEMA", "CONSUMER", "OWNER", "LAG", "ACK FLOOR", "COMMITTED SEQ", "LAST COMMIT", "FILES", "ROWS", "QUARANTINED"],
        ...st.consumers.map((c) => [
          c.table, c.consumer, c.owner ? `${c.owner.host}:${c.owner.pid} since ${c.owner.since} (epoch ${c.owner.epoch})` : "none", c.lag === null ? "?" : String(c.lag), c.ackFloor === null ? "?" : String(c.ackFloor),
          String(c.watermark), c.lastCommitAt ?? "never", String(c.files), String(c.rows), String(c.quarantined),
        ]),
      ];
      const torn = st.consumers.filter((c) => c.recordError).map((c) => `\n${c.consumer}: ${c.recordError}`).join("");
      return `${table(rows)}\nroot: ${cfg.dataRoot}   nats: ${cfg.natsUrl} (${st.nats})${torn}`;
    });
    if (st.nats !== "ok") {
      // the table above still shows what the files say; the live side is what failed
      const from = cfg.sources.NATS_URL === "flag" ? "--nats-url" : cfg.sources.NATS_URL === "env" ? "NATS_URL" : "the default; set --nats-url or NATS_URL";
      throw new LakeError(`NATS at ${cfg.natsUrl} (${from}) is ${st.nats}`);
    }
  },
});
