import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { concatFrames, type Frame } from "../../src/frame";
import { writeBronzeDay, writeBronzeDayByHour } from "../../src/sim/bronze";
import { generateDay, generateDayByHour } from "../../src/sim/day";
import { HourBuffers, type MbpBuffer } from "../../src/sim/mbp-buffer";
import { localStore } from "../../src/storage";

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

/** Every file under `b` is the one under `a`, byte for byte, and no other. */
function expectSameFiles(a: string, b: string): void {
  const [fa, fb] = [filesUnder(a), filesUnder(b)];
  expect([...fb.keys()].sort()).toEqual([...fa.keys()].sort());
  for (const [k, bytes] of fa) expect(Buffer.compare(bytes, fb.get(k)!)).toBe(0);
}

/** Two fresh lake roots for `fn`, removed after it. */
async function withTwoRoots(fn: (a: string, b: string) => Promise<void>): Promise<void> {
  const a = mkdtempSync(join(tmpdir(), "lake-sim-a-"));
  const b = mkdtempSync(join(tmpdir(), "lake-sim-b-"));
  try {
    await fn(a, b);
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
}

const OPTS = { date: "2026-03-10", seed: 13, scale: "normal" as const, signals: false };

describe("a simulated day generated hour by hour", () => {
  test("its MBP-10 hours concatenate to the whole-day frame, and trades/options are unchanged", () => {
    const whole = generateDay(OPTS);
    const gen = generateDayByHour(OPTS);
    const hours: Frame[] = [];
    let step = gen.next();
    // Each hour views a reused buffer: keep a copy.
    for (; !step.done; step = gen.next()) hours.push(step.value.take(Array.from({ length: step.value.numRows }, (_, i) => i)));
    expect(hours.length).toBeGreaterThan(10);
    const joined = concatFrames(hours);
    expect(joined.numRows).toBe(whole.mbp10.numRows);
    for (const name of whole.mbp10.columnNames) expect(joined.column(name).values).toEqual(whole.mbp10.column(name).values);
    expect(step.value.mbp10.numRows).toBe(0);
    expect(step.value.trades.values("price")).toEqual(whole.trades.values("price"));
    expect(step.value.options.numRows).toBe(whole.options.numRows);
  });

  test("writes byte-identical Bronze files in far less memory", () =>
    withTwoRoots(async (a, b) => {
      const filesA = await writeBronzeDay(localStore(a), generateDay(OPTS));
      const res = await writeBronzeDayByHour(localStore(b), generateDayByHour(OPTS), OPTS.seed);
      expect(res.files.map((f) => f.key).sort()).toEqual(filesA.map((f) => f.key).sort());
      expect(res.mbpRows).toBe(filesA.filter((f) => f.table === "futures.mbp10").reduce((s, f) => s + f.rows, 0));
      expectSameFiles(a, b);
    }));

  test("a run of days lends one hour buffer from day to day, and writes the same files as days alone", () =>
    withTwoRoots(async (a, b) => {
      const hourBuffers = new HourBuffers();
      const lent = new Set<MbpBuffer>();
      const take = hourBuffers.take.bind(hourBuffers);
      hourBuffers.take = (capacity) => {
        const buffer = take(capacity);
        expect(buffer.capacity).toBeGreaterThanOrEqual(capacity);
        lent.add(buffer);
        return buffer;
      };
      for (const date of ["2026-03-10", "2026-03-11", "2026-03-12"]) {
        await writeBronzeDayByHour(localStore(a), generateDayByHour({ ...OPTS, date }), OPTS.seed);
        await writeBronzeDayByHour(localStore(b), generateDayByHour({ ...OPTS, date, hourBuffers }), OPTS.seed);
      }
      // the busiest hour differs a little from day to day: the headroom absorbs it
      expect(lent.size).toBe(1);
      expectSameFiles(a, b);
    }));
});
