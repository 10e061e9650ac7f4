import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { writeBronzeDay } from "../../src/sim/bronze";
import { generateDay, generateDays, type SimDay } from "../../src/sim/day";
import type { Frame } from "../../src/frame";
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

/** sha256 of every column of a frame (values and validity), by table, plus the signals. */
function dayDigest(day: SimDay): Record<"trades" | "mbp10" | "options" | "signals", string> {
  const frameDigest = (f: Frame) => {
    const h = new Bun.CryptoHasher("sha256");
    h.update(String(f.numRows));
    for (const c of f.columns) {
      h.update(c.name);
      const v = c.values;
      if (ArrayBuffer.isView(v)) h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      else h.update(JSON.stringify(v, (_, x) => (typeof x === "bigint" ? x.toString() : ArrayBuffer.isView(x) ? Array.from(x as Int16Array) : x)));
      if (c.valid) h.update(c.valid);
    }
    return h.digest("hex");
  };
  return { trades: frameDigest(day.trades), mbp10: frameDigest(day.mbp10), options: frameDigest(day.options), signals: Bun.hash(JSON.stringify(day.signals)).toString() };
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
    const D = "2026-03-04";
    const opts = { seed: 3, scale: "light" as const };
    const alone = dayDigest(generateDay({ ...opts, date: D }));
    // D as the third of a run (two other days generated first, in the same process) …
    const run = [...generateDays({ ...opts, from: "2026-03-02", days: 4 })];
    expect(run.map((d) => d.date)).toEqual(["2026-03-02", "2026-03-03", D, "2026-03-05"]);
    expect(dayDigest(run[2]!)).toEqual(alone);
    // … and after a later day: the other days really are other data
    generateDay({ ...opts, date: "2026-03-09" });
    expect(dayDigest(generateDay({ ...opts, date: D }))).toEqual(alone);
    expect(dayDigest(run[1]!).trades).not.toBe(alone.trades);
    expect(dayDigest(run[3]!).mbp10).not.toBe(alone.mbp10);
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
