/**
 * The one NATS connection of the lake service (contracts §1.1), with unlimited reconnects,
 * and the hook that turns connection events into pipeline resyncs (pipeline.ts).
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { LakeError, errorMessage } from "../errors";
import { log } from "../log";
import type { Pipeline } from "./pipeline";

export async function connectNats(url: string, name = "lake"): Promise<NatsConnection> {
  try {
    return await connect({
      servers: url,
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

/** Pause pipelines on disconnect and resync them on reconnect; returns when the connection closes. */
export async function watchConnection(nc: NatsConnection, pipelines: () => readonly Pipeline[]): Promise<void> {
  for await (const s of nc.status()) {
    if (s.type === "disconnect") {
      log.warn("NATS disconnected; pausing consumption", { server: (s as { server?: string }).server });
      for (const p of pipelines()) p.onDisconnect();
    } else if (s.type === "reconnect") {
      log.info("NATS reconnected; resyncing consumers", { server: (s as { server?: string }).server });
      for (const p of pipelines()) p.onReconnect();
    }
  }
}
