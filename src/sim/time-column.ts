/**
 * Event times are generated as exact integer ns offsets from 04:00 ET held in a
 * Float64Array (a 12-hour session is < 2^46 ns, well inside the 2^53 exact range) and turned
 * into int64 epoch ns once at the end — one BigInt per row instead of BigInt arithmetic
 * in the hot loop.
 */
export class TimeColumn {
  readonly off: Float64Array;
  constructor(n: number) {
    this.off = new Float64Array(n);
  }
  set(i: number, offNs: number): void {
    this.off[i] = offNs;
  }
  toBigInt(startNs: bigint): BigInt64Array {
    const out = new BigInt64Array(this.off.length);
    // split start into a high part (multiple of 2^32) and a low remainder so each row is
    // one Number addition plus one BigInt conversion
    const hi = (startNs >> 32n) << 32n;
    const lo = Number(startNs - hi);
    for (let i = 0; i < out.length; i++) out[i] = hi + BigInt(lo + this.off[i]!);
    return out;
  }
}
