/**
 * JetStream set-up for the lake service: position each durable pull consumer (§1.3). The
 * streams themselves are created or verified by `streams.ts` (§1.2, §9 N-6).
 *
 * Positioning rule (docs/ingest.md "Consumer positioning"): the consumer must deliver
 * exactly the messages after max(ackFloor, W), where W is our own commit watermark.
 *  - missing → create a pull consumer starting at max(W,0) + 1 (deliver all when W = 0);
 *  - push consumer left by the predecessor → read its ack floor, delete it, recreate as
 *    pull at max(ackFloor, W) + 1 (logged once);
 *  - pull consumer with nothing in flight and ack-all policy → bind to it as is;
 *  - pull consumer with delivered-but-unacked messages (we crashed, or the connection
 *    dropped mid-batch) → recreate at max(ackFloor, W) + 1, so delivery is contiguous again
 *    and nothing waits ack_wait for redelivery. Messages ≤ W are already in the lake.
 */
import { AckPolicy, DeliverPolicy, JetStreamApiError, ReplayPolicy, type ConsumerConfig, type ConsumerInfo, type JetStreamManager } from "@nats-io/jetstream";
import { LakeError, errorMessage } from "../errors";

const NS_PER_S = 1_000_000_000;
/** Longer than a flush interval plus the worst commit; redeliveries are dropped anyway. */
export const ACK_WAIT_NS = 120 * NS_PER_S;
/** Above ring + two buffers of messages, so delivery never stalls on acks (§2.1). */
export const MAX_ACK_PENDING = 1_000_000;
const CONSUMER_NOT_FOUND = 10014;

/** The JetStream API error code of a failed admin call (undefined for other errors). */
export function apiCode(e: unknown): number | undefined {
  return e instanceof JetStreamApiError ? e.apiError().err_code : undefined;
}

export interface Position {
  action: "created" | "bound" | "repositioned" | "migrated-push";
  startSeq: number;
  ackFloor: number;
}

function pullConfig(durable: string, subject: string, startAfter: number): Partial<ConsumerConfig> {
  const cfg: Partial<ConsumerConfig> = {
    durable_name: durable,
    filter_subject: subject,
    ack_policy: AckPolicy.All,
    ack_wait: ACK_WAIT_NS,
    max_ack_pending: MAX_ACK_PENDING,
    max_deliver: -1,
    replay_policy: ReplayPolicy.Instant,
  };
  if (startAfter > 0) {
    cfg.deliver_policy = DeliverPolicy.StartSequence;
    cfg.opt_start_seq = startAfter + 1;
  } else cfg.deliver_policy = DeliverPolicy.All;
  return cfg;
}

export async function consumerInfo(jsm: JetStreamManager, stream: string, durable: string): Promise<ConsumerInfo | null> {
  try {
    return await jsm.consumers.info(stream, durable);
  } catch (e) {
    if (apiCode(e) === CONSUMER_NOT_FOUND) return null;
    throw e;
  }
}

/** Put the durable where our watermark says delivery must resume (see the header). */
export async function positionConsumer(jsm: JetStreamManager, stream: string, durable: string, subject: string, watermark: number): Promise<Position> {
  const info = await consumerInfo(jsm, stream, durable);
  if (!info) {
    await jsm.consumers.add(stream, pullConfig(durable, subject, watermark));
    return { action: "created", startSeq: watermark + 1, ackFloor: 0 };
  }
  const ackFloor = info.ack_floor.stream_seq;
  const from = Math.max(ackFloor, watermark);
  const isPush = !!info.config.deliver_subject;
  const inFlight = info.delivered.stream_seq > from || info.num_ack_pending > 0;
  const wrongPolicy = info.config.ack_policy !== AckPolicy.All || info.config.filter_subject !== subject;
  if (!isPush && !inFlight && !wrongPolicy && ackFloor >= watermark) {
    return { action: "bound", startSeq: ackFloor + 1, ackFloor };
  }
  await jsm.consumers.delete(stream, durable);
  await jsm.consumers.add(stream, pullConfig(durable, subject, from));
  return { action: isPush ? "migrated-push" : "repositioned", startSeq: from + 1, ackFloor };
}

/**
 * Run a JetStream admin step, retrying transient failures (timeouts, a restarting server)
 * with backoff until `timeoutMs`; a LakeError (incompatible configuration) fails at once.
 */
export async function retrying<T>(what: string, fn: () => Promise<T>, timeoutMs = 60_000, onRetry?: (e: unknown) => void): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 200;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof LakeError || Date.now() + delay > deadline) {
        if (e instanceof LakeError) throw e;
        throw new LakeError(`${what} failed after ${Math.round(timeoutMs / 1000)} s of retries: ${errorMessage(e)}`);
      }
      onRetry?.(e);
      await Bun.sleep(delay);
      delay = Math.min(delay * 2, 3_000);
    }
  }
}
