import { expect, test } from "bun:test";
import { Rng } from "../../src/sim/rng";
import { TimeColumn } from "../../src/sim/time-column";

test("ns offsets become exact int64 epoch timestamps, including 32-bit carries", () => {
  const rng = new Rng("time-column");
  const n = 10_000;
  const col = new TimeColumn(n);
  const starts = [1_772_442_000_000_000_000n, 1_772_442_000_000_000_000n + 0xffffff00n, (1n << 62n) - 1n - (1n << 47n)];
  for (const start of starts) {
    for (let i = 0; i < n; i++) col.set(i, i < 3 ? [0, 255, 256][i]! : Math.floor(rng.next() * 2 ** 46));
    const out = col.toBigInt(start);
    for (let i = 0; i < n; i++) if (out[i] !== start + BigInt(col.off[i]!)) throw new Error(`row ${i}: ${out[i]} != ${start + BigInt(col.off[i]!)}`);
    expect(out[1]).toBe(start + 255n);
  }
});
