/**
 * An S3 endpoint that accepts connections and never answers (a half-open connection, a wedged
 * proxy): every store operation still ends — each attempt times out, is retried, and the
 * caller gets S3UnavailableError naming the operation, instead of waiting forever.
 */
import { expect, test } from "bun:test";
import { S3Store, S3UnavailableError } from "../../src/storage/s3";

test("a silent S3 endpoint: get, put, list and stat end with S3UnavailableError after their retries", async () => {
  const held: { end(): void }[] = [];
  // Reads the request, answers nothing.
  using server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open: (s) => void held.push(s), data() {} } });
  const store = new S3Store(
    { endpoint: `http://127.0.0.1:${server.port}`, bucket: "silent", prefix: "p", region: "us-east-1", accessKeyId: "k", secretAccessKey: "s" },
    { attempts: 2, baseDelayMs: 10, maxDelayMs: 10, attemptTimeoutMs: 300 },
  );
  const ops: [string, () => Promise<unknown>][] = [
    ["get", () => store.get("a/b.parquet")],
    ["put", () => store.put("a/b.parquet", new Uint8Array(10), { overwrite: true })],
    ["list", () => store.list("a/")],
    ["stat", () => store.stat("a/b.parquet")],
  ];
  for (const [what, op] of ops) {
    const err = await op().then(() => null, (e: unknown) => e);
    expect(err, what).toBeInstanceOf(S3UnavailableError);
    expect(String(err)).toContain("timed out");
    expect(String(err)).toContain("after 2 attempts");
  }
  expect(held.length).toBeGreaterThan(0);
  for (const s of held) s.end();
});
