/**
 * `GET /healthz` of `lake serve`: 200 when NATS answers a round trip and every consumer is
 * keeping up (nothing buffered, or a commit within a few flush intervals), else 503 with the
 * reason per consumer — what a load balancer or an orchestrator's liveness probe asks.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { IngestLane } from "./lane";

export interface Health {
  ok: boolean;
  nats: "connected" | "disconnected";
  consumers: { table: string; consumer: string; ok: boolean; detail: string }[];
}

/** Does the server answer a PING within `timeoutMs`? */
export async function natsConnected(nc: NatsConnection, timeoutMs = 1_000): Promise<boolean> {
  if (nc.isClosed()) return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
  try {
    return await Promise.race([nc.flush().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function health(nc: NatsConnection, lanes: readonly IngestLane[], now = Date.now()): Promise<Health> {
  const connected = await natsConnected(nc);
  const consumers = lanes.map((l) => {
    const s = l.stats;
    const buffered = s.worker?.bufferedRows ?? 0;
    // a busy consumer commits at least every flush interval; allow a few, plus slow storage
    const allowedMs = l.opts.flushIntervalMs * 3 + 30_000;
    const since = s.lastCommitAt ? now - Date.parse(s.lastCommitAt) : null;
    const ok = buffered === 0 || (since !== null && since <= allowedMs);
    const detail = buffered === 0 ? "idle or caught up" : since === null ? `${buffered} rows buffered, never committed` : `${buffered} rows buffered, last commit ${Math.round(since / 1000)} s ago`;
    return { table: s.table, consumer: s.durable, ok, detail };
  });
  return { ok: connected && consumers.every((c) => c.ok), nats: connected ? "connected" : "disconnected", consumers };
}
