/**
 * The registry lock: a holder killed at any instant never wedges the next writer. The lock
 * appears already naming its owner; a lock left by a dead process, or an old one naming
 * nobody, is broken; a live holder is waited for.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LockTimeoutError, withFileLock } from "../../src/core/atomic-file";

const dir = mkdtempSync(join(tmpdir(), "lake-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the lock names its holder while held and leaves nothing behind", async () => {
  const path = join(dir, "a.json");
  const seen = await withFileLock(path, () => readdirSync(dir).filter((n) => n.startsWith("a.json")));
  expect(seen).toEqual(["a.json.lock"]);
  expect(readdirSync(dir).filter((n) => n.startsWith("a.json"))).toEqual([]);
});

test("a lock naming a dead pid is broken", async () => {
  const path = join(dir, "b.json");
  const dead = Bun.spawnSync(["true"]).pid;
  writeFileSync(`${path}.lock`, `${dead}\n2026-01-01T00:00:00Z\n`);
  expect(await withFileLock(path, () => 7, 2_000)).toBe(7);
});

test("an empty lock is waited for while fresh and broken once old", async () => {
  const path = join(dir, "c.json");
  writeFileSync(`${path}.lock`, "");
  await expect(withFileLock(path, () => 0, 200)).rejects.toBeInstanceOf(LockTimeoutError);
  const old = new Date(Date.now() - 60_000);
  utimesSync(`${path}.lock`, old, old);
  expect(await withFileLock(path, () => 8, 2_000)).toBe(8);
});

test("a lock held by a live process is waited for, then times out naming it", async () => {
  const path = join(dir, "d.json");
  writeFileSync(`${path}.lock`, `${process.pid}\n`);
  const err = await withFileLock(path, () => 0, 150).catch((e) => e);
  expect(err).toBeInstanceOf(LockTimeoutError);
  expect(String(err.message)).toContain(`held by pid ${process.pid}`);
});
