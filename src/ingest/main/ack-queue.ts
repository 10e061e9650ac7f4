/**
 * Which reply subject to ack once a commit reaches watermark W (ack policy "all": one ack on
 * the newest delivered message ≤ W acknowledges everything before it, contracts §2.1).
 *
 * Keeping every reply subject would cost a string per message on the main thread, so only
 * a sample is kept (every Nth pushed message) plus the newest one, whose reply is resolved
 * lazily. An ack may therefore trail W by < N messages until the next commit — harmless:
 * ack-all is cumulative, and a redelivery of those messages is dropped as a duplicate.
 */
export interface ReplyHolder {
  readonly reply: string;
}

export class AckQueue {
  private seqs: number[] = [];
  private replies: string[] = [];
  private head = 0;
  private newestSeq = 0;
  private newest: ReplyHolder | null = null;

  /** A sampled message: its reply subject is kept until a commit passes it. */
  sample(seq: number, reply: string): void {
    this.seqs.push(seq);
    this.replies.push(reply);
  }

  /** The newest message pushed so far (`holder.reply` is read only if it gets acked). */
  setNewest(seq: number, holder: ReplyHolder): void {
    this.newestSeq = seq;
    this.newest = holder;
  }

  /** The newest known (seq, reply) with seq ≤ watermark, removed from the queue; null if none. */
  takeUpTo(watermark: number): { seq: number; reply: string } | null {
    let reply: string | null = null;
    let seq = 0;
    while (this.head < this.seqs.length && this.seqs[this.head]! <= watermark) {
      seq = this.seqs[this.head]!;
      reply = this.replies[this.head]!;
      this.head++;
    }
    if (this.newest && this.newestSeq <= watermark && this.newestSeq > seq) {
      seq = this.newestSeq;
      reply = this.newest.reply;
      this.newest = null;
    }
    if (this.head > 4096 && this.head * 2 > this.seqs.length) {
      this.seqs = this.seqs.slice(this.head);
      this.replies = this.replies.slice(this.head);
      this.head = 0;
    }
    return reply === null ? null : { seq, reply };
  }

  /** After a resync: nothing delivered before it may be acked through this queue. */
  clear(): void {
    this.seqs = [];
    this.replies = [];
    this.head = 0;
    this.newest = null;
    this.newestSeq = 0;
  }
}
