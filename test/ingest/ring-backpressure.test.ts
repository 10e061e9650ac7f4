/**
 * The SharedArrayBuffer ring: records come out in order across many wrap-arounds, a full
 * ring refuses writes (backpressure) instead of growing, and a worker thread reading it
 * sees every byte.
 */
import { expect, test } from "bun:test";
import { createRing, KIND_DATA, RingReader, RingWriter } from "../../src/ingest/common/ring";

test("records survive wrap-around in order and a full ring refuses writes", () => {
  const bufs = createRing(1 << 16);
  const w = new RingWriter(bufs);
  const r = new RingReader(bufs);
  const subj = new TextEncoder().encode("market.futures.trades");
  let next = 1;
  let seen = 1;
  for (let round = 0; round < 200; round++) {
    let wrote = 0;
    while (wrote < 50) {
      const body = new Uint8Array(100 + ((next * 37) % 900)).fill(next % 251);
      if (!w.tryWrite(KIND_DATA, next, subj, body)) break;
      next++;
      wrote++;
    }
    w.publish();
    r.drain((kind, seq, s, body) => {
      expect(kind).toBe(KIND_DATA);
      expect(seq).toBe(seen);
      expect(new TextDecoder().decode(s)).toBe("market.futures.trades");
      expect(body.length).toBe(100 + ((seen * 37) % 900));
      expect(body[0]).toBe(seen % 251);
      expect(body[body.length - 1]).toBe(seen % 251);
      seen++;
      return true;
    });
  }
  expect(seen).toBe(next);
  expect(next).toBeGreaterThan(5000); // many laps around a 64 KiB ring

  // Full: the writer is refused, nothing is overwritten, the reader gets it all back.
  let n = 0;
  while (w.tryWrite(KIND_DATA, 1e6 + n, subj, new Uint8Array(1000))) n++;
  w.publish();
  expect(n).toBeGreaterThan(50);
  expect(n).toBeLessThan(70);
  let got = 0;
  r.drain((_k, seq) => {
    expect(seq).toBe(1e6 + got++);
    return true;
  });
  expect(got).toBe(n);
});

test("a worker thread drains what the main thread writes", async () => {
  const bufs = createRing(1 << 16);
  const w = new RingWriter(bufs);
  const src = `
    import { RingReader } from ${JSON.stringify(new URL("../../src/ingest/common/ring.ts", import.meta.url).pathname)};
    self.onmessage = async (ev) => {
      const r = new RingReader(ev.data.bufs);
      let sum = 0, count = 0;
      while (count < ev.data.n) {
        r.drain((k, seq, s, body) => { sum += seq + body.length; count++; return true; });
        await r.waitForData(20);
      }
      self.postMessage({ sum, count });
    };`;
  const url = URL.createObjectURL(new Blob([src], { type: "application/typescript" }));
  const worker = new Worker(url);
  const N = 20_000;
  const done = new Promise<{ sum: number; count: number }>((res) => (worker.onmessage = (e) => res(e.data)));
  worker.postMessage({ bufs, n: N });
  let expected = 0;
  for (let i = 1; i <= N; i++) {
    const body = new Uint8Array(i % 300);
    while (!w.tryWrite(KIND_DATA, i, new Uint8Array(0), body)) {
      w.publish();
      await w.waitForSpace(20);
    }
    expected += i + body.length;
    if (i % 100 === 0) w.publish();
  }
  w.publish();
  const got = await done;
  worker.terminate();
  expect(got).toEqual({ sum: expected, count: N });
});
