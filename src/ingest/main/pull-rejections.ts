/**
 * What a data session does when the server rejects its pull requests with a 409
 * ("Exceeded MaxRequestBatch of 1000", "Exceeded MaxWaiting", …): re-pulling at once would
 * spin the CPU and deliver nothing. Back off (100 ms doubling to 5 s), log the server's text
 * (the first time, when it changes and at the last attempt), and after `limit` rejections in
 * a row give up with that text — the lane then repositions (recreating a consumer whose
 * settings are below lake's) and fails the service if it persists.
 */
export type Rejection = { action: "retry"; delayMs: number; log: boolean } | { action: "end"; log: boolean };

export class PullRejections {
  /** Consecutive rejections with no message delivered in between. */
  count = 0;
  private last = "";

  constructor(private readonly limit = 6) {}

  /** A message was delivered: the pull path works. */
  reset(): void {
    this.count = 0;
  }

  record(text: string): Rejection {
    this.count++;
    const log = text !== this.last || this.count === 1 || this.count >= this.limit;
    this.last = text;
    if (this.count >= this.limit) return { action: "end", log };
    return { action: "retry", delayMs: Math.min(100 * 2 ** (this.count - 1), 5_000), log };
  }
}
