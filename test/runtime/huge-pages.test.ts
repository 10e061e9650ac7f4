import { describe, expect, test } from "bun:test";
import { adviseHugePages } from "../../src/runtime/huge-pages";

describe("huge pages for large reused buffers", () => {
  test("advice changes no byte, on plain and shared buffers, large and small", () => {
    for (const buf of [new ArrayBuffer(12 << 20), new SharedArrayBuffer(12 << 20), new ArrayBuffer(4096)]) {
      const bytes = new Uint8Array(buf);
      bytes[0] = 7;
      bytes[bytes.length - 1] = 9;
      adviseHugePages(buf);
      expect([bytes[0], bytes[1], bytes[bytes.length - 1]]).toEqual([7, 0, 9]);
      for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (i >>> 12) & 255;
      let ok = true;
      for (let i = 0; i < bytes.length; i += 4096) ok &&= bytes[i] === ((i >>> 12) & 255);
      expect(ok).toBe(true);
    }
  });
});
