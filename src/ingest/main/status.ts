/**
 * Data for `lake status`: per consumer, the commit record (watermark, last commit time,
 * files/rows/quarantined totals) and — when NATS answers — JetStream's view (lag = pending
 * + un-acked, ack floor).
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { natsServers, type Config } from "../../config";
import { errorMessage } from "../../errors";
import { openStore } from "../../storage/index";
import { readCommit, TornRecordError, type CommitRecord } from "../common/commit";
import { consumerInfo } from "./jetstream";
import { LEASE_BUCKET, type LeaseValue } from "./lease";
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
  /** Who holds the consumer's lease (lease.ts), null when nobody does (or NATS is unreachable). */
  owner: { instance: string; host: string; pid: number; epoch: number; since: string; renewedAt: string } | null;
  natsError?: string;
  /** The commit record is torn: what to do about it (lake ingest repair). */
  recordError?: string;
}

export async function ingestStatus(cfg: Config, timeoutMs = 3000): Promise<{ consumers: ConsumerStatus[]; nats: string }> {
  const store = openStore(cfg);
  const out: ConsumerStatus[] = [];
  for (const s of [...BRONZE_CONSUMERS, ...GOLD_CONSUMERS]) {
    let c: CommitRecord | null = null;
    let recordError: string | undefined;
    try {
      c = await readCommit(store, s.durable);
    } catch (e) {
      if (!(e instanceof TornRecordError)) throw e;
      recordError = e.message;
    }
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
      ...(recordError ? { recordError } : {}),
      owner: null,
    });
  }
  let nats = "ok";
  try {
    const nc = await connect({ servers: natsServers(cfg.natsUrl), timeout: timeoutMs, maxReconnectAttempts: 0 });
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
      await readOwners(nc, out, timeoutMs);
    } finally {
      await nc.close();
    }
  } catch (e) {
    nats = `unreachable: ${errorMessage(e)}`;
  }
  return { consumers: out, nats };
}

/** Fill in each consumer's lease holder; no bucket (lake serve never ran) leaves them null. */
async function readOwners(nc: Parameters<typeof jetstream>[0], out: ConsumerStatus[], timeoutMs: number): Promise<void> {
  let kv;
  try {
    kv = await new Kvm(jetstream(nc, { timeout: timeoutMs })).open(LEASE_BUCKET);
    await kv.status();
  } catch {
    return;
  }
  for (const s of out) {
    const e = await kv.get(s.consumer).catch(() => null);
    const v = e && e.operation === "PUT" ? (e.json() as LeaseValue) : null;
    if (v && !v.released) s.owner = { instance: v.instance, host: v.host, pid: v.pid, epoch: v.epoch, since: v.acquiredAt, renewedAt: v.renewedAt };
  }
}
