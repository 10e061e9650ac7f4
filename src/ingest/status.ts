/**
 * Data for `lake status`: per consumer, the commit record (watermark, last commit time,
 * files/rows/quarantined totals) and — when NATS answers — JetStream's view (lag = pending
 * + un-acked, ack floor).
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { Config } from "../config";
import { errorMessage } from "../errors";
import { openStore } from "../storage/index";
import { readCommit } from "./commit";
import { consumerInfo } from "./jetstream";
import { BRONZE_CONSUMERS, GOLD_CONSUMERS } from "./streams";

export interface ConsumerStatus {
  table: string;
  consumer: string;
  stream: string;
  watermark: number;
  lastCommitAt: string | null;
  files: number;
  rows: number;
  quarantined: number;
  lag: number | null;
  ackFloor: number | null;
  natsError?: string;
}

export async function ingestStatus(cfg: Config, timeoutMs = 3000): Promise<{ consumers: ConsumerStatus[]; nats: string }> {
  const store = openStore(cfg);
  const out: ConsumerStatus[] = [];
  for (const s of [...BRONZE_CONSUMERS, ...GOLD_CONSUMERS]) {
    const c = await readCommit(store, s.durable);
    out.push({
      table: s.table,
      consumer: s.durable,
      stream: s.stream,
      watermark: c?.watermark ?? 0,
      lastCommitAt: c?.lastCommitAt ?? null,
      files: c?.filesTotal ?? 0,
      rows: c?.rowsTotal ?? 0,
      quarantined: c?.quarantinedTotal ?? 0,
      lag: null,
      ackFloor: null,
    });
  }
  let nats = "ok";
  try {
    const nc = await connect({ servers: cfg.natsUrl, timeout: timeoutMs, maxReconnectAttempts: 0 });
    try {
      const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
      for (const s of out) {
        try {
          const info = await consumerInfo(jsm, s.stream, s.consumer);
          if (info) {
            s.lag = info.num_pending + info.num_ack_pending;
            s.ackFloor = info.ack_floor.stream_seq;
          } else s.natsError = "consumer not created yet";
        } catch (e) {
          s.natsError = errorMessage(e);
        }
      }
    } finally {
      await nc.close();
    }
  } catch (e) {
    nats = `unreachable: ${errorMessage(e)}`;
  }
  return { consumers: out, nats };
}
