import { describe, expect, test } from "bun:test";
import { mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync, utimesSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileHashCache, settled, statKey } from "../../../src/silver/hash-cache";
import { sha256BronzeFile, sha256Bytes } from "../../../src/silver/lineage";

function tempDir(): { dir: string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(join(tmpdir(), "lake-hash-cache-"));
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

const bytes = (fill: number, n = 300 << 10) => new Uint8Array(n).fill(fill);

describe("content hashes remembered by stat", () => {
  test("an unchanged file is served from the cache; an edit in place, even with its times set back, is not", () => {
    using t = tempDir();
    const cache = FileHashCache.open(join(t.dir, "cache"))!;
    expect(cache).not.toBeNull();
    const file = join(t.dir, "part.parquet");
    writeFileSync(file, bytes(1));
    const key = statKey(file);
    cache.remember(file, key, "aa");
    expect(cache.lookup(file, statKey(file))).toBe("aa");

    // same size, same mtime restored by hand: the change time still moves
    const { atime, mtime } = statSync(file);
    const fd = openSync(file, "r+");
    writeSync(fd, new Uint8Array([9]), 0, 1, 1000);
    closeSync(fd);
    utimesSync(file, atime, mtime);
    expect(cache.lookup(file, statKey(file))).toBeNull();

    // a rewrite renamed into place is another inode
    writeFileSync(file + ".tmp", bytes(1));
    rmSync(file);
    writeFileSync(file, bytes(1));
    expect(cache.lookup(file, statKey(file))).toBeNull();
    cache.close();
  });

  test("sha256BronzeFile: the hash follows the bytes across edits; small files are hashed directly", async () => {
    using t = tempDir();
    const file = join(t.dir, "big.parquet");
    writeFileSync(file, bytes(2));
    expect(await sha256BronzeFile(file, 300 << 10)).toBe(sha256Bytes(bytes(2)));
    expect(await sha256BronzeFile(file, 300 << 10)).toBe(sha256Bytes(bytes(2)));
    const fd = openSync(file, "r+");
    writeSync(fd, new Uint8Array([7]), 0, 1, 5);
    closeSync(fd);
    const edited = bytes(2);
    edited[5] = 7;
    expect(await sha256BronzeFile(file, 300 << 10)).toBe(sha256Bytes(edited));
    const small = join(t.dir, "small.parquet");
    writeFileSync(small, bytes(3, 100));
    expect(await sha256BronzeFile(small, 100)).toBe(sha256Bytes(bytes(3, 100)));
  });

  test("a settled file's hash is remembered; an edit in place with its times set back still changes the hash", async () => {
    using t = tempDir();
    const file = join(t.dir, "settled.parquet");
    writeFileSync(file, bytes(4));
    expect(settled(statKey(file))).toBe(false); // just written: not remembered yet
    expect(settled(statKey(file), Date.now() + 3_000)).toBe(true);
    await Bun.sleep(2_100);
    expect(settled(statKey(file))).toBe(true);
    expect(await sha256BronzeFile(file, 300 << 10)).toBe(sha256Bytes(bytes(4)));
    expect(await sha256BronzeFile(file, 300 << 10)).toBe(sha256Bytes(bytes(4)));
    const { atime, mtime } = statSync(file);
    const fd = openSync(file, "r+");
    writeSync(fd, new Uint8Array([8]), 0, 1, 9);
    closeSync(fd);
    utimesSync(file, atime, mtime);
    const edited = bytes(4);
    edited[9] = 8;
    expect(await sha256BronzeFile(file, 300 << 10)).toBe(sha256Bytes(edited));
  });

  test("a cache directory that cannot be written is no error: no cache", () => {
    using t = tempDir();
    const blocked = join(t.dir, "not-a-dir");
    writeFileSync(blocked, "x");
    expect(FileHashCache.open(blocked)).toBeNull();
  });
});
