/**
 * Resting depth of one contract, by absolute price tick, for both sides. The top of book
 * comes from the price path; this holds the sizes behind it and how they evolve:
 * quote updates add/cancel around a depth-dependent mean, trades deplete the touch,
 * and "walls" (large resting orders, 300–1200 lots) build over several updates, then get
 * consumed by trades or pulled (sizes build and deplete).
 */
import type { Rng } from "./rng";

/** Mean resting size at depth k (0 = touch): thin touch, thicker behind (fixture: p50 ≈ 90). */
export function baseSize(k: number): number {
  return 16 + 13 * Math.min(k, 9);
}

interface Wall {
  tick: number;
  side: 0 | 1; // 0 bid, 1 ask
  target: number;
  until: number; // step at which it is pulled
}

export class DepthBook {
  /** Index = tick − tickBase. */
  readonly bid: Int32Array;
  readonly ask: Int32Array;
  private walls: Wall[] = [];

  constructor(
    readonly tickBase: number,
    nTicks: number,
    private readonly rng: Rng,
    private readonly sizeScale: number,
  ) {
    this.bid = new Int32Array(nTicks);
    this.ask = new Int32Array(nTicks);
    for (let i = 0; i < nTicks; i++) {
      this.bid[i] = this.fresh(4);
      this.ask[i] = this.fresh(4);
    }
  }

  /** A newly formed level at depth k: log-normal around baseSize(k). */
  fresh(k: number): number {
    return Math.max(1, Math.round(baseSize(k) * this.sizeScale * Math.exp(0.55 * this.rng.normal() - 0.15)));
  }

  /** The touch moved: the newly exposed best bid/ask starts thin (orders just joining). */
  onTopChange(prevBidTick: number, bidTick: number): void {
    if (bidTick > prevBidTick) this.bid[bidTick - this.tickBase] = this.fresh(0);
    else if (bidTick < prevBidTick) this.ask[bidTick + 1 - this.tickBase] = this.fresh(0);
    // a wall the price ran through is gone (consumed)
    if (this.walls.length) {
      this.walls = this.walls.filter((w) => (w.side === 0 ? w.tick <= bidTick : w.tick >= bidTick + 1));
    }
  }

  /** A trade of `size` at the touch: deplete it; a fully taken level refills (new orders at the same price). */
  onTrade(bidTick: number, buy: boolean, size: number): void {
    const arr = buy ? this.ask : this.bid;
    const i = (buy ? bidTick + 1 : bidTick) - this.tickBase;
    const left = arr[i]! - size;
    arr[i] = left > 0 ? left : this.fresh(0);
  }

  /** An add/cancel somewhere in the visible ten levels; walls grow or get pulled. */
  onQuote(bidTick: number, step: number): void {
    const r = this.rng;
    const side = r.next() < 0.5 ? 0 : 1;
    let k = 0;
    while (k < 9 && r.next() < 0.72) k++;
    const tick = side === 0 ? bidTick - k : bidTick + 1 + k;
    const arr = side === 0 ? this.bid : this.ask;
    const i = tick - this.tickBase;
    const cur = arr[i]!;
    const mean = baseSize(k) * this.sizeScale;
    const next = cur + (mean - cur) * 0.08 + cur * 0.22 * r.normal() + 2 * r.normal();
    arr[i] = Math.max(1, Math.round(next));
    if (this.walls.length) this.tendWalls(step);
  }

  /** Place a wall 3–9 ticks from the touch. */
  addWall(bidTick: number, step: number, lifetimeSteps: number): void {
    const r = this.rng;
    const side: 0 | 1 = r.next() < 0.5 ? 0 : 1;
    const k = r.int(3, 9);
    const tick = side === 0 ? bidTick - k : bidTick + 1 + k;
    const target = Math.round(r.uniform(300, 1200) * this.sizeScale);
    this.walls.push({ tick, side, target, until: step + lifetimeSteps });
  }

  private tendWalls(step: number): void {
    let pulled = false;
    for (const w of this.walls) {
      const arr = w.side === 0 ? this.bid : this.ask;
      const i = w.tick - this.tickBase;
      if (step >= w.until) {
        arr[i] = this.fresh(4); // pulled
        w.target = -1;
        pulled = true;
      } else if (arr[i]! < w.target) {
        arr[i] = Math.min(w.target, arr[i]! + Math.ceil((w.target - arr[i]!) * 0.2)); // building
      }
    }
    // runs on every quote update: only reallocate the list when a wall actually went away
    if (pulled) this.walls = this.walls.filter((w) => w.target >= 0);
  }

  get activeWalls(): number {
    return this.walls.length;
  }
}
