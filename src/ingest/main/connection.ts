/**
 * The one NATS connection of the lake service (contracts §1.1), with unlimited reconnects,
 * and the hook that turns connection events into lane resyncs (lane.ts).
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { natsServers } from "../../config";
import { LakeError, errorMessage } from "../../errors";
import { log } from "../../log";
import type { IngestLane } from "./lane";

export async function connectNats(url: string, name = "lake"): Promise<NatsConnection> {
  try {
    return await connect({
      servers: natsServers(url),
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      pingInterval: 5_000,
      noAsyncTraces: true,
    });
  } catch (e) {
    throw new LakeError(`cannot connect to NATS at ${url}: ${errorMessage(e)} (is nats-server running with -js? set NATS_URL or --nats-url)`);
  }
}

/** Pause lanes on disconnect and resync them on reconnect; returns when the connection closes. */
export async function watchConnection(nc: NatsConnection, lanes: () => readonly IngestLane[]): Promise<void> {
  for await (const s of nc.status()) {
    if (s.type === "disconnect") {
      log.warn("NATS disconnected; pausing consumption", { server: (s as { server?: string }).server });
      for (const p of lanes()) p.onDisconnect();
    } else if (s.type === "reconnect") {
      log.info("NATS reconnected; resyncing consumers", { server: (s as { server?: string }).server });
      for (const p of lanes()) p.onReconnect();
    }
  }
}
