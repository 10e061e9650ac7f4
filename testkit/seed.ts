/**
 * Seeded randomness for tests: every randomised test draws from one seed, prints it when it
 * fails, and replays a failure with `LAKE_TEST_SEED=<seed> bun test <file>`.
 */
import { seededRandom } from "../src/core/test-faults";

export interface Seeded {
  readonly seed: number;
  /** uniform in [0, 1) */
  random(): number;
  /** integer in [lo, hi] */
  int(lo: number, hi: number): number;
  /** a fresh uint32, e.g. to seed a subprocess */
  uint32(): number;
}

export function seeded(seed: number): Seeded {
  const random = seededRandom(seed);
  return {
    seed,
    random,
    int: (lo, hi) => lo + Math.floor(random() * (hi - lo + 1)),
    uint32: () => Math.floor(random() * 2 ** 32) >>> 0,
  };
}

/** LAKE_TEST_SEED when set (a uint32), else a new random seed. */
export function testSeed(): number {
  const env = process.env.LAKE_TEST_SEED;
  if (env !== undefined && env !== "") {
    if (!/^\d+$/.test(env) || Number(env) > 0xffffffff) throw new Error(`LAKE_TEST_SEED must be a uint32, got "${env}"`);
    return Number(env);
  }
  return (Math.random() * 2 ** 32) >>> 0;
}

/** Runs `body` with a seeded generator; on failure, says how to replay it. */
export async function withSeed<T>(label: string, body: (rng: Seeded) => Promise<T> | T): Promise<T> {
  const rng = seeded(testSeed());
  try {
    return await body(rng);
  } catch (e) {
    console.error(`${label} failed with seed ${rng.seed}: replay with LAKE_TEST_SEED=${rng.seed}`);
    throw e;
  }
}
