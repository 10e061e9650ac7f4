import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DbnFormatError } from "../../src/dbn/constants";
import { importDbnFiles } from "../../src/dbn/import";
import { LocalStore } from "../../src/storage/local";
import { fixture } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "lake-dbn-bad-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const plain = readFileSync(fixture("test_data.mbp-10.dbn"));
const zst = readFileSync(fixture("test_data.mbp-10.v3.dbn.zst"));

function variant(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

const withVersion = (v: number) => { const b = Uint8Array.from(plain); b[3] = v; return b; };
const overrun = () => { const b = Uint8Array.from(plain); b[b.length - 368] = 0xff; return b; }; // last record claims 1020 bytes

const CASES: [string, Uint8Array, RegExp, number][] = [
  ["truncated.dbn", plain.subarray(0, 700), /truncated record: the stream ends 347 bytes into a 368-byte record/, 353],
  ["header-cut.dbn", plain.subarray(0, 60), /truncated DBN header/, 60],
  ["wrong-magic.dbn", Uint8Array.from([0x50, 0x41, 0x52, 0x31, ...plain.subarray(4)]), /not a DBN stream/, 0],
  ["future-version.dbn", withVersion(9), /unsupported DBN version 9/, 3],
  ["overrun.dbn", overrun(), /truncated record: the stream ends 368 bytes into a 1020-byte record/, plain.length - 368],
  ["half-frame.dbn.zst", zst.subarray(0, Math.floor(zst.length / 2)), /zstd/, -1],
  ["corrupt-frame.dbn.zst", corruptZstd(), /zstd stream is corrupt or cut short \(.+; \d+ bytes decompressed\)/, -1],
];

/** 400 records compressed, then 64 bytes in the middle of the frame overwritten. */
function corruptZstd(): Uint8Array {
  const body = plain.subarray(353);
  const parts = [plain.subarray(0, 353), ...Array.from({ length: 200 }, () => body)];
  const z = Uint8Array.from(Bun.zstdCompressSync(Buffer.concat(parts)));
  z.fill(0xff, z.length >> 1, (z.length >> 1) + 64);
  return z;
}

describe("bad DBN input: one clear error with the byte offset, nothing written", () => {
  for (const [name, bytes, re, offset] of CASES) {
    test(name, async () => {
      const root = mkdtempSync(join(dir, "lake-"));
      const store = new LocalStore(root);
      const p = variant(name, bytes);
      const err = await importDbnFiles(store, [p]).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(DbnFormatError);
      const e = err as DbnFormatError;
      expect(e.message).toContain(p);
      expect(e.message).toMatch(re);
      expect(e.message).toMatch(/at byte offset \d+/);
      expect(e.message.includes("\n")).toBe(false);
      if (offset >= 0) expect(e.offset).toBe(offset);
      expect((await store.list("bronze/")).length).toBe(0);
      expect((await store.list("_import/")).filter((o) => !o.key.includes("/intent-")).length).toBe(0);
    });
  }

  test("unknown record types are skipped and counted", async () => {
    const b = Uint8Array.from(plain);
    b[353 + 1] = 0x42; // first record: an rtype lake does not know
    const store = new LocalStore(mkdtempSync(join(dir, "lake-")));
    const r = await importDbnFiles(store, [variant("unknown.dbn", b)]);
    expect(r.files[0]!.rows).toEqual({ "futures.mbp10": 1 });
    expect(r.files[0]!.skipped).toEqual({ "record type 0x42": 1 });
  });
});
