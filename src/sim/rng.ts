/**
 * Seeded PRNG for the market simulator. Determinism is the contract (same seed →
 * byte-identical output), so nothing here touches Math.random or the clock.
 *
 * sfc32 (Small Fast Counter, 128-bit state) — 32-bit integer ops only, fast in JS JITs and
 * passes PractRand; each generator stream is keyed by (seed, date, purpose) through a
 * string hash so that, e.g., changing the MBP-10 rate never changes the trade tape.
 */

/** cyrb128: string → four 32-bit words (seed material for sfc32). */
function hash128(s: string): [number, number, number, number] {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < s.length; i++) {
    const k = s.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal = NaN;

  /** `key` names the stream, e.g. `7|2026-03-02|trades`. */
  constructor(key: string) {
    [this.a, this.b, this.c, this.d] = hash128(key);
    for (let i = 0; i < 15; i++) this.nextU32(); // warm up: decorrelate similar keys
  }

  static stream(seed: number | string, ...parts: string[]): Rng {
    return new Rng([String(seed), ...parts].join("|"));
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform in (0, 1] — safe under log(). */
  nextOpen(): number {
    return (this.nextU32() + 1) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }

  /** Standard normal (Marsaglia polar; caches the second variate). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const s = this.spareNormal;
      this.spareNormal = NaN;
      return s;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * m;
    return u * m;
  }

  exponential(mean: number): number {
    return -Math.log(this.nextOpen()) * mean;
  }

  /** Poisson count with mean `lambda` (Knuth for small λ, normal approximation above 40). */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 40) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const L = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    for (;;) {
      p *= this.next();
      if (p <= L) return k;
      k++;
    }
  }

  /**
   * Heavy-tailed positive integer: 1 + floor(Pareto(xm, alpha) − xm), capped.
   * alpha ≈ 1.2–1.6 gives the ES-like "mostly 1–3 lots, occasional hundreds" tape.
   */
  heavyTailInt(xm: number, alpha: number, cap: number): number {
    const x = xm / Math.pow(this.nextOpen(), 1 / alpha);
    return Math.min(cap, 1 + Math.floor(x - xm));
  }
}

export { mulberry32 } from "../core/mulberry32";
