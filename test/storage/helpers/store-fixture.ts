/**
 * What the storage tests share: one s3rver and one temp directory per test file (started in
 * beforeAll, removed in afterAll), and a fresh store of each backend for the behaviour suites
 * that must hold on both.
 */
import { afterAll, beforeAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalStore, S3Store, type Store } from "../../../src/storage";
import { startS3rver, type S3rver } from "../../../testkit/s3";

export interface StoreFixture {
  readonly s3: S3rver;
  readonly tmp: string;
  /** [name, a new empty store] for the local filesystem and for S3 (a fresh prefix each). */
  readonly backends: readonly (readonly [string, () => Store])[];
}

export function storeFixture(tmpPrefix: string): StoreFixture {
  let s3: S3rver | undefined;
  let tmp = "";
  beforeAll(async () => {
    s3 = await startS3rver();
    tmp = mkdtempSync(join(tmpdir(), tmpPrefix));
  });
  afterAll(async () => {
    await s3?.[Symbol.asyncDispose]();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });
  const started = () => {
    if (!s3) throw new Error("the store fixture is used outside a test (s3rver not started)");
    return s3;
  };
  return {
    get s3() {
      return started();
    },
    get tmp() {
      return tmp;
    },
    backends: [
      ["local", () => new LocalStore(join(tmp, crypto.randomUUID()))],
      ["s3", () => new S3Store({ ...started().s3Settings, prefix: `p-${crypto.randomUUID()}` })],
    ],
  };
}
