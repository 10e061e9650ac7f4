/**
 * shareWork (src/runtime/lend.ts): items split between this thread (from the front) and idle
 * workers (from the back); a declined or failed lend is done here; a real error surfaces.
 * The lender here is a stand-in for the pool's, so the splitting itself is what is checked;
 * test/runtime/worker-pool.test.ts covers lending across real workers.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { setThreadLender, shareWork } from "../../src/runtime/lend";

afterEach(() => setThreadLender(null));

const items = Array.from({ length: 10 }, (_, i) => i);

describe("shareWork", () => {
  test("without a lender every item is done here, in order", async () => {
    const here: number[] = [];
    await shareWork(items, async (i) => here.push(i), async () => true);
    expect(here).toEqual(items);
  });

  test("with a lender, items go both ways and each is done exactly once", async () => {
    setThreadLender(async () => ({ ran: true, value: null }));
    const here: number[] = [], lent: number[] = [];
    await shareWork(items, async (i) => { here.push(i); await Bun.sleep(5); }, async (i) => { lent.push(i); await Bun.sleep(5); return true; });
    expect(lent.length).toBeGreaterThan(0);
    expect(here.length).toBeGreaterThan(0);
    expect([...here, ...lent].sort((a, b) => a - b)).toEqual(items);
    expect(Math.min(...lent)).toBeGreaterThan(Math.max(...here)); // front here, back lent
  });

  test("a declined or failed lend is done here; an error here is thrown", async () => {
    setThreadLender(async () => ({ ran: false }));
    for (const lend of [async () => false, async () => Promise.reject(new Error("worker died"))]) {
      const here: number[] = [];
      await shareWork(items, async (i) => { here.push(i); await Bun.sleep(1); }, lend);
      expect([...here].sort((a, b) => a - b)).toEqual(items);
    }
    await expect(shareWork(items, async (i) => { if (i === 3) throw new Error("bad file"); }, async () => false)).rejects.toThrow("bad file");
  });
});
