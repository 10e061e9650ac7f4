import { expect, test } from "bun:test";
import { zstdScratch } from "../../src/parquet/zstd-scratch";

test("zstdScratch decompresses like Bun.zstdDecompressSync, grows its buffer, and rejects a wrong length", () => {
  for (const size of [1, 1000, 1 << 20, 3 << 20]) {
    const raw = new Uint8Array(size);
    for (let i = 0; i < size; i++) raw[i] = (i * 7919) % 251 < 200 ? 0 : i & 0xff;
    const packed = Bun.zstdCompressSync(raw, { level: 3 });
    const out = zstdScratch(packed, size);
    expect(out.length).toBe(size);
    expect(Buffer.compare(out, raw)).toBe(0);
  }
  const packed = Bun.zstdCompressSync(new Uint8Array(100));
  expect(() => zstdScratch(packed, 99)).toThrow(/decompressed to 100 bytes/);
});
