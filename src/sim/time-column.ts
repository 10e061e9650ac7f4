/**
 * Event times are generated as exact integer ns offsets from 04:00 ET held in a
 * Float64Array (a 12-hour session is < 2^46 ns, well inside the 2^53 exact range) and turned
 * into int64 epoch ns once at the end, by writing the two 32-bit halves directly — no
 * BigInt per row (profiled: BigInt conversion was the largest cost of a heavy day).
 */
import { hugePageBuffer } from "../runtime/huge-pages";

const TWO32 = 4294967296;
const INV_TWO32 = 1 / TWO32;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export class TimeColumn {
  readonly off: Float64Array;
  constructor(n: number) {
    this.off = new Float64Array(hugePageBuffer(8 * n)); // an hour's column, filled once and reused
  }
  set(i: number, offNs: number): void {
    this.off[i] = offNs;
  }
  /**
   * The first `n` offsets (default all) as int64 epoch ns, into `into` when given (a
   * generator reusing one array per hour saves faulting in fresh pages every hour).
   */
  toBigInt(startNs: bigint, n = this.off.length, into?: BigInt64Array): BigInt64Array {
    const out = into ? into.subarray(0, n) : new BigInt64Array(n);
    if (startNs < 0n || !LITTLE_ENDIAN) {
      for (let i = 0; i < n; i++) out[i] = startNs + BigInt(this.off[i]!);
      return out;
    }
    const words = new Uint32Array(out.buffer, out.byteOffset, 2 * n);
    const startHi = Number(startNs >> 32n);
    const startLo = Number(startNs & 0xffffffffn);
    for (let i = 0; i < n; i++) {
      // offset + low word stays below 2^47, exact; scaling by 2^-32 is exact too (no division)
      const t = this.off[i]! + startLo;
      const carry = Math.floor(t * INV_TWO32);
      words[2 * i] = t - carry * TWO32;
      words[2 * i + 1] = startHi + carry;
    }
    return out;
  }
}
