import { describe, expect, test } from "bun:test";
import { adviseHugePages } from "../../src/runtime/huge-pages";

describe("huge pages for large reused buffers", () => {
  test("advice changes no byte, on plain and shared buffers, large and small", () => {
    for (const buf of [new ArrayBuffer(12 << 20), new SharedArrayBuffer(12 << 20), new ArrayBuffer(4096)]) {
      const before = new Uint8Array(buf);
      before[0] = 7;
      before[before.length - 1] = 9;
      adviseHugePages(buf);
      const after = new Uint8Array(buf);
      for (let i = 0; i < after.length; i += 4096) after[i] = (i >>> 12) & 255;
      expect(after[after.length - 1]).toBe(9);
      expect(after[4096]).toBe(1);
    }
  });
});
