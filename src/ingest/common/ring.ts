/**
 * Single-producer / single-consumer byte ring in a SharedArrayBuffer: the main thread
 * copies raw message bodies (with stream sequence and subject) in, one worker decodes
 * them out. Fixed memory, no per-message allocation, and backpressure by construction:
 * when the ring is full the producer stops pulling from JetStream (backpressure).
 *
 * Record layout (8-byte aligned):
 *   u32 bodyLen | u16 kind | u16 subjectLen | f64 streamSeq | subject bytes | body bytes
 * A u32 0xFFFFFFFF at the write position means "wrap to offset 0".
 * Header (Int32Array): [writePos, readPos, writeSignal, readSignal, readerWaiting,
 * writerWaiting]. Positions are only published with Atomics.store after the bytes are in
 * place, so the reader never sees a half-written record. Atomics.notify is only called
 * when the other side announced it is waiting: unconditional notifies were 13% of the
 * main thread's profile.
 */

export const KIND_DATA = 1;
/** Control: flush everything before this record, then report `seq` (a request token). */
export const KIND_FLUSH = 2;
/** Data too large for the ring: body = u32 LE original length + the first bytes (quarantined). */
export const KIND_TOO_LARGE = 3;

/** KIND_TOO_LARGE record body: u32 LE original length + the first 4 KiB (quarantined). */
export function tooLargeHead(body: Uint8Array): Uint8Array {
  const head = new Uint8Array(4 + 4096);
  new DataView(head.buffer).setUint32(0, body.length, true);
  head.set(body.subarray(0, 4096), 4);
  return head;
}

const WRAP = 0xffffffff;
const HDR = 16;
const W = 0;
const R = 1;
const WSIG = 2;
const RSIG = 3;
const RWAIT = 4;
const WWAIT = 5;

export interface RingBuffers {
  header: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

export function createRing(capacityBytes: number): RingBuffers {
  const cap = Math.max(1 << 16, Math.ceil(capacityBytes / 8) * 8);
  return { header: new SharedArrayBuffer(32), data: new SharedArrayBuffer(cap) };
}

const align8 = (n: number) => (n + 7) & ~7;

class RingBase {
  protected readonly hdr: Int32Array;
  protected readonly bytes: Uint8Array;
  protected readonly u32: Uint32Array;
  protected readonly u16: Uint16Array;
  protected readonly f64: Float64Array;
  readonly capacity: number;

  constructor(bufs: RingBuffers) {
    this.hdr = new Int32Array(bufs.header);
    this.bytes = new Uint8Array(bufs.data);
    this.u32 = new Uint32Array(bufs.data);
    this.u16 = new Uint16Array(bufs.data);
    this.f64 = new Float64Array(bufs.data);
    this.capacity = bufs.data.byteLength;
  }

  /** Bytes currently queued (producer's published view). */
  used(): number {
    const w = Atomics.load(this.hdr, W);
    const r = Atomics.load(this.hdr, R);
    return w >= r ? w - r : this.capacity - r + w;
  }

  fill(): number {
    return this.used() / this.capacity;
  }
}

export class RingWriter extends RingBase {
  private wpos: number;
  private pending = false;

  constructor(bufs: RingBuffers) {
    super(bufs);
    this.wpos = Atomics.load(this.hdr, W);
  }

  /** Largest body that can ever fit. */
  get maxBody(): number {
    return Math.floor(this.capacity / 2) - HDR - 256;
  }

  /**
   * Copy one record in (not yet visible to the reader: call publish()).
   * Returns false when the ring has no room — the caller waits for space.
   */
  tryWrite(kind: number, seq: number, subject: Uint8Array, body: Uint8Array): boolean {
    return this.tryWriteFrom(kind, seq, subject, body, 0, body.length);
  }

  /** tryWrite with the body given as src[start, end) (socket bytes, no view created unless it fits). */
  tryWriteFrom(kind: number, seq: number, subject: Uint8Array, src: Uint8Array, start: number, end: number): boolean {
    const bodyLen = end - start;
    const need = align8(HDR + subject.length + bodyLen);
    const cap = this.capacity;
    const r = Atomics.load(this.hdr, R);
    let w = this.wpos;
    const free = (r > w ? r - w : cap - w + r) - 8; // keep a gap: w === r means empty
    if (w + need > cap) {
      // Would cross the end: wrap, which also costs the tail bytes.
      if (need + (cap - w) > free) return false;
      this.u32[w >>> 2] = WRAP;
      w = 0;
    } else if (need > free) return false;
    this.u32[w >>> 2] = bodyLen;
    this.u16[(w + 4) >>> 1] = kind;
    this.u16[(w + 6) >>> 1] = subject.length;
    this.f64[(w + 8) >>> 3] = seq;
    this.bytes.set(subject, w + HDR);
    this.bytes.set(start === 0 && end === src.length ? src : src.subarray(start, end), w + HDR + subject.length);
    w += need;
    if (w >= cap) w = 0;
    this.wpos = w;
    this.pending = true;
    return true;
  }

  /** Make written records visible and wake the reader. */
  publish(): void {
    if (!this.pending) return;
    this.pending = false;
    Atomics.store(this.hdr, W, this.wpos);
    Atomics.add(this.hdr, WSIG, 1);
    if (Atomics.load(this.hdr, RWAIT)) Atomics.notify(this.hdr, WSIG);
  }

  /** Resolve when the reader frees space (or after timeoutMs). */
  async waitForSpace(timeoutMs: number): Promise<void> {
    const sig = Atomics.load(this.hdr, RSIG);
    Atomics.store(this.hdr, WWAIT, 1);
    await waitWithTimer(this.hdr, RSIG, sig, timeoutMs);
    Atomics.store(this.hdr, WWAIT, 0);
  }
}

export type RecordHandler = (kind: number, seq: number, subject: Uint8Array, body: Uint8Array) => boolean;

export class RingReader extends RingBase {
  private rpos: number;

  constructor(bufs: RingBuffers) {
    super(bufs);
    this.rpos = Atomics.load(this.hdr, R);
  }

  /**
   * Hand every visible record to `handler` (views into shared memory: valid only during
   * the call). Stops early when the handler returns false (record not consumed).
   * Returns the number of records consumed.
   */
  drain(handler: RecordHandler, maxRecords = Infinity): number {
    const w = Atomics.load(this.hdr, W);
    let r = this.rpos;
    let n = 0;
    while (r !== w && n < maxRecords) {
      let len = this.u32[r >>> 2]!;
      if (len === WRAP) {
        r = 0;
        if (r === w) break;
        len = this.u32[0]!;
      }
      const kind = this.u16[(r + 4) >>> 1]!;
      const sl = this.u16[(r + 6) >>> 1]!;
      const seq = this.f64[(r + 8) >>> 3]!;
      const subject = this.bytes.subarray(r + HDR, r + HDR + sl);
      const body = this.bytes.subarray(r + HDR + sl, r + HDR + sl + len);
      if (!handler(kind, seq, subject, body)) break;
      r += align8(HDR + sl + len);
      if (r >= this.capacity) r = 0;
      n++;
    }
    if (r !== this.rpos) {
      this.rpos = r;
      Atomics.store(this.hdr, R, r);
      Atomics.add(this.hdr, RSIG, 1);
      if (Atomics.load(this.hdr, WWAIT)) Atomics.notify(this.hdr, RSIG);
    }
    return n;
  }

  hasData(): boolean {
    return Atomics.load(this.hdr, W) !== this.rpos;
  }

  /** Resolve when the writer publishes (or after timeoutMs). */
  async waitForData(timeoutMs: number): Promise<void> {
    const sig = Atomics.load(this.hdr, WSIG);
    Atomics.store(this.hdr, RWAIT, 1);
    if (this.hasData()) {
      Atomics.store(this.hdr, RWAIT, 0);
      return;
    }
    await waitWithTimer(this.hdr, WSIG, sig, timeoutMs);
    Atomics.store(this.hdr, RWAIT, 0);
  }
}

/**
 * Atomics.waitAsync with a timer as a second wake-up: under heavy load we saw a worker
 * parked forever on a waitAsync whose own timeout never fired, so never rely on it alone.
 */
async function waitWithTimer(hdr: Int32Array, index: number, value: number, timeoutMs: number): Promise<void> {
  const r = Atomics.waitAsync(hdr, index, value, timeoutMs);
  if (!r.async) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([r.value, new Promise<void>((res) => (timer = setTimeout(res, timeoutMs + 5)))]);
  clearTimeout(timer);
}
