/**
 * mulberry32: a tiny seeded uniform [0, 1) stream from a 32-bit seed. For samples, fault draws
 * and synthetic test batches that must reproduce from a printed seed; the simulator's market
 * model uses its own keyed, independent streams (src/sim/rng.ts).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
