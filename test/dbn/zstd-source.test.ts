/**
 * The two ways a zstd DBN file is decompressed — node:zlib's native handle into the
 * decoder's buffer, and the stream fallback used where that handle is missing — give the
 * same bytes as a one-shot decompression, for every compressed fixture, and both fail with
 * one clear error on a frame cut short or corrupted.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zstdDecompressSync } from "node:zlib";
import { openDbnBytes } from "../../src/dbn/source";

const FIXTURES = join(import.meta.dir, "../fixtures/dbn");
const compressed = readdirSync(FIXTURES).filter((f) => f.endsWith(".zst"));

async function drain(path: string, viaStream: boolean, chunk = 4096): Promise<Uint8Array> {
  const src = openDbnBytes(path, path, { viaStream });
  const parts: Uint8Array[] = [];
  try {
    for (;;) {
      const buf = new Uint8Array(chunk);
      const n = await src.read(buf, 0, chunk);
      if (n === 0) break;
      parts.push(buf.subarray(0, n));
    }
  } finally {
    src.close();
  }
  return new Uint8Array(Buffer.concat(parts));
}

test("native handle and stream fallback decompress every fixture to the same bytes", async () => {
  expect(compressed.length).toBeGreaterThanOrEqual(9);
  for (const f of compressed) {
    const path = join(FIXTURES, f);
    const want = new Uint8Array(zstdDecompressSync(readFileSync(path)));
    for (const viaStream of [false, true]) {
      const got = await drain(path, viaStream, 1000);
      expect({ f, viaStream, same: Buffer.from(got).equals(want) }).toEqual({ f, viaStream, same: true });
    }
  }
});

test("a corrupted frame is one clear error on both paths", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lake-dbn-zstd-"));
  try {
    const bytes = readFileSync(join(FIXTURES, "test_data.mbp-10.v3.dbn.zst"));
    const bad = Uint8Array.from(bytes);
    for (let i = Math.floor(bad.length / 2); i < Math.floor(bad.length / 2) + 16; i++) bad[i] = bad[i]! ^ 0xff;
    const path = join(dir, "bad.dbn.zst");
    writeFileSync(path, bad);
    for (const viaStream of [false, true]) {
      const err = await drain(path, viaStream).then(() => null, (e: Error) => e);
      expect({ viaStream, message: err?.message ?? "no error" }).toEqual({ viaStream, message: expect.stringMatching(/zstd stream is corrupt or cut short/) });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
