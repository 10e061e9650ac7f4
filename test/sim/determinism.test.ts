import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { writeBronzeDay } from "../../src/sim/bronze";
import { generateDay } from "../../src/sim/day";
import { wireTexts } from "../../src/sim/wire";
import { localStore } from "../../src/storage";

function wireDigest(seed: number): string {
  const day = generateDay({ date: "2026-03-03", seed, scale: "light" });
  const h = new Bun.CryptoHasher("sha256");
  for (const m of wireTexts(day)) {
    h.update(m.subject);
    h.update(m.json);
  }
  return h.digest("hex");
}

function filesUnder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

describe("simulator determinism", () => {
  test("the same seed gives byte-identical wire messages", () => {
    expect(wireDigest(7)).toBe(wireDigest(7));
  });

  test("a different seed gives different data", () => {
    const a = generateDay({ date: "2026-03-03", seed: 7, scale: "light", signals: false });
    const b = generateDay({ date: "2026-03-03", seed: 8, scale: "light", signals: false });
    const pa = a.trades.values<Float64Array>("price");
    const pb = b.trades.values<Float64Array>("price");
    let differ = a.trades.numRows !== b.trades.numRows;
    for (let i = 0; !differ && i < pa.length; i++) differ = pa[i] !== pb[i];
    expect(differ).toBe(true);
    expect(wireDigest(8)).not.toBe(wireDigest(7));
  });

  test("a day does not depend on which other days are generated with it", () => {
    const alone = generateDay({ date: "2026-03-04", seed: 3, scale: "light", signals: false });
    const again = generateDay({ date: "2026-03-04", seed: 3, scale: "light", signals: false });
    expect(again.trades.values<BigInt64Array>("ts_event_ns")).toEqual(alone.trades.values<BigInt64Array>("ts_event_ns"));
    expect(again.mbp10.values<Int32Array>("bid_sz_3")).toEqual(alone.mbp10.values<Int32Array>("bid_sz_3"));
  });

  test("the same seed writes byte-identical Bronze files under the same keys", async () => {
    const dirs = [mkdtempSync(join(tmpdir(), "lake-sim-a-")), mkdtempSync(join(tmpdir(), "lake-sim-b-"))];
    try {
      for (const dir of dirs) await writeBronzeDay(localStore(dir), generateDay({ date: "2026-03-03", seed: 7, scale: "light", signals: false }));
      const [a, b] = dirs.map(filesUnder) as [Map<string, Buffer>, Map<string, Buffer>];
      expect(a.size).toBeGreaterThan(20);
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      for (const [k, bytes] of a) expect(Buffer.compare(bytes, b.get(k)!)).toBe(0);
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});

test("the MBP-10 quote rate changes the book, never the trade tape", () => {
  const a = generateDay({ date: "2026-03-03", seed: 7, scale: "light", signals: false });
  const b = generateDay({ date: "2026-03-03", seed: 7, scale: "light", rates: { mbpPerSec: 3 }, signals: false });
  expect(b.mbp10.numRows).toBeGreaterThan(a.mbp10.numRows);
  for (const c of ["price", "size", "aggressor", "symbol"]) expect(b.trades.column(c).values).toEqual(a.trades.column(c).values);
});
