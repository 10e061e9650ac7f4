/**
 * One consumer's (re)positioning, at start-up and after every resync: prove ownership,
 * compare the committed watermark with the stream (reset? gap?), then put the durable
 * where delivery must resume (jetstream.ts positionConsumer).
 */
import type { JetStreamManager } from "@nats-io/jetstream";
import { LakeError } from "../../errors";
import { log } from "../../log";
import type { StreamIdentity } from "../common/commit";
import { checkStream, positionConsumer, type Position, type PullNeeds } from "./jetstream";

/** The stream's sequences restarted below the watermark and the operator did not accept it. */
export class StreamResetError extends LakeError {
  constructor(detail: string, stream: string, durable: string) {
    super(
      `${detail}: the stream was deleted and recreated, so its sequences restarted and resuming after the old watermark would silently skip messages. ` +
        `If that is what happened, restart lake serve with --accept-stream-reset: it archives the commit record of ${durable} (under _ingest/${durable}/archive/) and ingests ${stream} from its first sequence`,
    );
    this.name = "StreamResetError";
  }
}

export interface RepositionInput {
  jsm: JetStreamManager;
  stream: string;
  durable: string;
  subject: string;
  needs: PullNeeds;
  watermark: number;
  /** The stream the watermark was counted in (from the commit record), if known. */
  recorded: StreamIdentity | undefined;
  acceptStreamReset: boolean;
  /** Proves the lease; throws when it cannot (lost: FencedError). */
  prove: () => Promise<void>;
  /** Archive the commit record and restart the watermark at 0 in `stream` (the worker does it). */
  resetWatermark: (stream: StreamIdentity) => Promise<number>;
}

export interface RepositionResult {
  position: Position;
  watermark: number;
  stream: StreamIdentity;
  /** Stream sequences that expired before they were ingested (0: none). */
  gapMessages: number;
}

/** How long a stream that ends below the watermark may take to catch up before it counts as reset. */
export const LAGGING_REPLICA_WAIT_MS = 20_000;

export async function reposition(r: RepositionInput): Promise<RepositionResult> {
  await r.prove();
  let watermark = r.watermark;
  let check = await checkStream(r.jsm, r.stream, watermark, r.recorded);
  // In a cluster, a new stream leader can report a last sequence below what it had acknowledged
  // until it has applied its log: wait for it rather than refuse (or, with --accept-stream-reset,
  // archive the watermark and ingest the stream again — duplicates).
  if (check.reset && check.maybeLagging) {
    log.warn("the stream ends below the committed watermark: waiting for a replica that may not have caught up", { stream: r.stream, durable: r.durable, lastSeq: check.lastSeq, watermark, waitS: LAGGING_REPLICA_WAIT_MS / 1000 });
    for (const until = Date.now() + LAGGING_REPLICA_WAIT_MS; check.reset && check.maybeLagging && Date.now() < until; ) {
      await Bun.sleep(500);
      check = await checkStream(r.jsm, r.stream, watermark, r.recorded);
    }
  }
  if (check.reset) {
    if (!r.acceptStreamReset) throw new StreamResetError(check.reset, r.stream, r.durable);
    log.warn("stream reset detected and accepted (--accept-stream-reset)", { stream: r.stream, durable: r.durable, detail: check.reset });
    await r.prove();
    watermark = await r.resetWatermark(check.identity);
    check = await checkStream(r.jsm, r.stream, watermark, check.identity);
  }
  if (check.gap) {
    log.error("MESSAGES LOST BEFORE INGEST: the stream no longer holds sequences after the committed watermark (removed by its age/size limits before lake read them)", {
      stream: r.stream, durable: r.durable, fromSeq: check.gap.from, toSeq: check.gap.to, count: check.gap.count,
    });
  }
  await r.prove();
  const position = await positionConsumer(r.jsm, r.stream, r.durable, r.subject, watermark, r.needs);
  if (position.action === "reconfigured") {
    log.warn("the existing consumer's settings differ from what lake needs: recreated it at the committed position", { durable: r.durable, differences: position.mismatches!.join("; "), resumeAt: position.startSeq });
  }
  return { position, watermark, stream: check.identity, gapMessages: check.gap?.count ?? 0 };
}
