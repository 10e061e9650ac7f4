/**
 * JetStream set-up for the lake service: position each durable pull consumer (§1.3). The
 * streams themselves are created or verified by `streams.ts` (§1.2, §9 N-6).
 *
 * Positioning rule (docs/ingest.md "Consumer positioning"): the consumer must deliver
 * exactly the messages after max(ackFloor, W), where W is our own commit watermark.
 *  - missing → create a pull consumer starting at max(W,0) + 1 (deliver all when W = 0);
 *  - push consumer left by the predecessor → read its ack floor, delete it, recreate as
 *    pull at max(ackFloor, W) + 1 (logged once);
 *  - pull consumer with nothing in flight whose every setting lake depends on matches
 *    (`consumerMismatches`) → bind to it as is; a differing one is recreated at the
 *    committed position and the differences are logged;
 *  - pull consumer with delivered-but-unacked messages (we crashed, or the connection
 *    dropped mid-batch) → recreate at max(ackFloor, W) + 1, so delivery is contiguous again
 *    and nothing waits ack_wait for redelivery. Messages ≤ W are already in the lake.
 */
import { AckPolicy, DeliverPolicy, JetStreamApiError, ReplayPolicy, type ConsumerConfig, type ConsumerInfo, type JetStreamManager } from "@nats-io/jetstream";
import { LakeError, errorMessage } from "../../errors";
import type { StreamIdentity } from "../common/commit";

const NS_PER_S = 1_000_000_000;
/**
 * Longer than a flush interval plus the worst commit; redeliveries are dropped anyway (and
 * counted). `LAKE_INGEST_ACK_WAIT_S` changes it, e.g. to match a flush interval above 2 min.
 */
export const ACK_WAIT_NS = Math.round(Number(process.env.LAKE_INGEST_ACK_WAIT_S || 120) * NS_PER_S);
/** Above ring + two buffers of messages, so delivery never stalls on acks (§2.1). */
export const MAX_ACK_PENDING = 1_000_000;
const CONSUMER_NOT_FOUND = 10014;

/** The JetStream API error code of a failed admin call (undefined for other errors). */
export function apiCode(e: unknown): number | undefined {
  return e instanceof JetStreamApiError ? e.apiError().err_code : undefined;
}

export interface Position {
  action: "created" | "bound" | "repositioned" | "migrated-push" | "reconfigured";
  startSeq: number;
  ackFloor: number;
  /** Settings of an existing consumer that differed from what lake needs (when reconfigured). */
  mismatches?: string[];
}

/** What lake's pull requests ask of the consumer (raw-pull.ts, the nats.js consume()). */
export interface PullNeeds {
  /** Messages per pull request. */
  batch: number;
  /** Expiry of one pull request, ms. */
  expiresMs: number;
  /** Byte budget of one pull request. */
  maxBytes: number;
}

export const DEFAULT_PULL_EXPIRES_MS = 30_000;

/**
 * Every setting of an existing consumer lake depends on, compared with what it needs; one
 * line per difference (empty: safe to bind). Below-need request limits make the server
 * answer each pull with a 409 and deliver nothing; a limited max_deliver or headers_only
 * would silently drop data.
 */
export function consumerMismatches(c: ConsumerConfig, subject: string, needs: PullNeeds): string[] {
  const out: string[] = [];
  const ns = (n: number | undefined) => `${(n ?? 0) / NS_PER_S} s`;
  if (c.ack_policy !== AckPolicy.All) out.push(`ack_policy is ${c.ack_policy}, lake needs all`);
  if ((c.filter_subject ?? "") !== subject) out.push(`filter_subject is ${JSON.stringify(c.filter_subject ?? "")}, lake needs ${subject}`);
  if ((c.max_batch ?? 0) > 0 && c.max_batch! < needs.batch) out.push(`max_batch is ${c.max_batch}, lake pulls ${needs.batch}`);
  if ((c.max_expires ?? 0) > 0 && c.max_expires! < needs.expiresMs * 1e6) out.push(`max_expires is ${ns(c.max_expires)}, lake's pulls expire after ${needs.expiresMs / 1000} s`);
  if ((c.max_bytes ?? 0) > 0 && c.max_bytes! < needs.maxBytes) out.push(`max_bytes is ${c.max_bytes}, lake's pulls ask up to ${needs.maxBytes} bytes`);
  if ((c.ack_wait ?? 0) < ACK_WAIT_NS) out.push(`ack_wait is ${ns(c.ack_wait)}, lake needs ≥ ${ns(ACK_WAIT_NS)}`);
  if ((c.max_ack_pending ?? 0) !== -1 && (c.max_ack_pending ?? 0) < MAX_ACK_PENDING) out.push(`max_ack_pending is ${c.max_ack_pending}, lake needs ≥ ${MAX_ACK_PENDING}`);
  if ((c.max_deliver ?? -1) > 0) out.push(`max_deliver is ${c.max_deliver}, lake needs unlimited (-1)`);
  if (c.headers_only) out.push("headers_only is set, lake needs the message bodies");
  return out;
}

export interface StreamCheck {
  identity: StreamIdentity;
  firstSeq: number;
  lastSeq: number;
  /** Why the watermark cannot belong to this stream (deleted and recreated), or null. */
  reset: string | null;
  /**
   * The reset is only that the stream ends below the watermark while it is the stream the
   * watermark was counted in (same creation time, or none recorded): right after a leader
   * change a replica can answer before it has applied every stored message.
   */
  maybeLagging: boolean;
  /** Stream sequences after the watermark that expired before they were ingested. */
  gap: { from: number; to: number; count: number } | null;
}

/**
 * Compare the committed watermark with the stream as it is now. W > last_seq, or a stream
 * created at another time than the one the watermark was counted in, means the stream was
 * deleted and recreated (its sequences restarted); first_seq > W + 1 means messages after
 * W were removed (age/limits) before lake read them.
 */
export async function checkStream(jsm: JetStreamManager, stream: string, watermark: number, recorded: StreamIdentity | undefined): Promise<StreamCheck> {
  const info = await jsm.streams.info(stream);
  const identity: StreamIdentity = { name: stream, created: String(info.created) };
  const { first_seq: firstSeq, last_seq: lastSeq } = info.state;
  let reset: string | null = null;
  let maybeLagging = false;
  if (watermark > 0 && recorded && recorded.name === stream && recorded.created !== identity.created) {
    reset = `stream ${stream} was created at ${identity.created}, but the committed watermark ${watermark} counts in the stream created at ${recorded.created}`;
  } else if (watermark > lastSeq) {
    reset = `stream ${stream} ends at sequence ${lastSeq}, below the committed watermark ${watermark}`;
    maybeLagging = true;
  }
  const gap = !reset && firstSeq > watermark + 1 ? { from: watermark + 1, to: firstSeq - 1, count: firstSeq - 1 - watermark } : null;
  return { identity, firstSeq, lastSeq, reset, maybeLagging, gap };
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
export async function positionConsumer(jsm: JetStreamManager, stream: string, durable: string, subject: string, watermark: number, needs: PullNeeds): Promise<Position> {
  const info = await consumerInfo(jsm, stream, durable);
  if (!info) {
    await jsm.consumers.add(stream, pullConfig(durable, subject, watermark));
    return { action: "created", startSeq: watermark + 1, ackFloor: 0 };
  }
  const ackFloor = info.ack_floor.stream_seq;
  const from = Math.max(ackFloor, watermark);
  const isPush = !!info.config.deliver_subject;
  const inFlight = info.delivered.stream_seq > from || info.num_ack_pending > 0;
  const mismatches = isPush ? [] : consumerMismatches(info.config, subject, needs);
  if (!isPush && !inFlight && !mismatches.length && ackFloor >= watermark) {
    return { action: "bound", startSeq: ackFloor + 1, ackFloor };
  }
  await jsm.consumers.delete(stream, durable);
  await jsm.consumers.add(stream, pullConfig(durable, subject, from));
  if (mismatches.length) return { action: "reconfigured", startSeq: from + 1, ackFloor, mismatches };
  return { action: isPush ? "migrated-push" : "repositioned", startSeq: from + 1, ackFloor };
}

/**
 * Run a JetStream admin step, retrying transient failures (timeouts, a restarting server)
 * with backoff until `timeoutMs`; a LakeError (incompatible configuration) fails at once.
 */
export async function retrying<T>(what: string, fn: () => Promise<T>, timeoutMs = 60_000, onRetry?: (e: unknown) => void, signal?: AbortSignal): Promise<T> {
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
      // a stop request ends the wait at once: a pending timer would keep the process alive
      await sleepUnlessAborted(delay, signal);
      if (signal?.aborted) throw e;
      delay = Math.min(delay * 2, 3_000);
    }
  }
}

/** Sleep `ms`, or less if `signal` aborts first (no timer is left behind either way). */
export function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    if (signal?.aborted) return done();
    signal?.addEventListener("abort", done, { once: true });
  });
}
