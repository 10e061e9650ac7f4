/**
 * Nothing hangs, nothing is left half-started (compiled ./lake): a server without JetStream,
 * an unreachable server, a busy metrics port, a mistyped DATA_ROOT, an unreachable S3
 * endpoint, and the throw-away lake of `lake demo`. A hang shows up as exit 137 (runLake
 * kills after its timeout).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNats, type NatsServer } from "../../testkit/nats";
import { freePort } from "../../testkit/net";
import { lakeBinary, runLake } from "../../testkit/lake-binary";
import { FIXTURE_DAY_A } from "../../testkit/fixtures";

let plain: NatsServer;
const work = mkdtempSync(join(tmpdir(), "lake-no-hangs-"));

beforeAll(async () => {
  await lakeBinary();
  plain = await startNats({ jetstream: false });
});
afterAll(async () => {
  await plain?.[Symbol.asyncDispose]();
  rmSync(work, { recursive: true, force: true });
});

describe("a NATS server without JetStream, or none at all", () => {
  test("lake simulate --to nats exits 1 with 'jetstream is not enabled'", async () => {
    const r = await runLake(["simulate", "--to", "nats", "--date", "2026-03-02", "--scale", "light", "--nats-url", plain.url], { cwd: work, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.err).toContain("jetstream is not enabled");
    expect(r.err).toContain(plain.url);
  });

  test("lake replay exits 1 with 'jetstream is not enabled'", async () => {
    const r = await runLake(["replay", "--date", "2026-01-14", "--source", FIXTURE_DAY_A, "--data-root", work, "--nats-url", plain.url], { cwd: work, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.err).toContain("jetstream is not enabled");
  });

  test("lake status exits 1 naming the problem and which server it asked", async () => {
    const noJs = await runLake(["status", "--data-root", work, "--nats-url", plain.url], { cwd: work, timeoutMs: 60_000 });
    expect(noJs.code).toBe(1);
    expect(noJs.err).toBe(`lake: NATS at ${plain.url} (--nats-url) is unreachable: jetstream is not enabled\n`);
    const port = await freePort();
    const none = await runLake(["status", "--data-root", work], { cwd: work, env: { NATS_URL: `nats://127.0.0.1:${port}` }, timeoutMs: 60_000 });
    expect(none.code).toBe(1);
    expect(none.err).toContain(`NATS at nats://127.0.0.1:${port} (NATS_URL) is unreachable`);
  });
});

describe("lake serve refuses what it cannot do before it starts", () => {
  test("a busy or invalid --metrics-port exits 2 at once", async () => {
    const busy: Server = createServer();
    const port = await new Promise<number>((res) => busy.listen(0, "127.0.0.1", () => res((busy.address() as { port: number }).port)));
    try {
      const r = await runLake(["serve", "--data-root", work, "--nats-url", plain.url, "--metrics-port", String(port)], { cwd: work, timeoutMs: 30_000 });
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--metrics-port ${port}: cannot listen on 127.0.0.1:${port} (address already in use)`);
    } finally {
      busy.close();
    }
    for (const bad of ["70000", "-1", "abc"]) {
      const r = await runLake(["serve", "--data-root", work, "--nats-url", plain.url, "--metrics-port", bad], { cwd: work, timeoutMs: 30_000 });
      expect(r.code).toBe(2);
      expect(r.err).toContain("--metrics-port must be an integer 0..65535");
    }
  });
});

describe("lake serve during its start-up retries", () => {
  test("SIGTERM while it waits for JetStream stops it within seconds", async () => {
    const bin = await lakeBinary();
    const serve = Bun.spawn([bin, "serve", "--data-root", join(work, "serve-lake"), "--nats-url", plain.url], { cwd: work, stdout: "ignore", stderr: "pipe" });
    try {
      await Bun.sleep(2_500); // connected, retrying "connecting to JetStream"
      expect(serve.exitCode).toBeNull();
      const t0 = performance.now();
      serve.kill("SIGTERM");
      const code = await Promise.race([serve.exited, Bun.sleep(15_000).then(() => "hung" as const)]);
      expect(code).toBe(0);
      expect(performance.now() - t0).toBeLessThan(15_000);
      expect(await new Response(serve.stderr).text()).toContain("stopping during start-up");
    } finally {
      if (serve.exitCode === null) serve.kill("SIGKILL");
    }
  });
});

describe("storage locations", () => {
  test("DATA_ROOT=s3:/bad is refused and creates no directory", async () => {
    for (const root of ["s3:/bad", "s3:bad"]) {
      const r = await runLake(["bronze", "dates", "futures-trades"], { cwd: work, env: { DATA_ROOT: root } });
      expect(r.code).toBe(1);
      expect(r.err).toBe(`lake: DATA_ROOT is invalid: got ${JSON.stringify(root)}, expected a directory path or s3://bucket[/prefix]\n`);
    }
    expect(existsSync(join(work, "s3:"))).toBe(false);
  });

  test("an unreachable S3 endpoint is named in the error", async () => {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const r = await runLake(["silver", "status"], { cwd: work, env: { DATA_ROOT: "s3://lake-bucket/p", S3_ENDPOINT: endpoint, S3_ACCESS_KEY: "k", S3_SECRET_KEY: "s", LAKE_LOCAL_ROOT: work }, timeoutMs: 60_000 });
    // Silver versions are published in the bucket: even the status needs it
    expect(r.code).toBe(1);
    expect(r.err).toContain(`via ${endpoint}: connection refused`);
    const build = await runLake(["silver"], { cwd: work, env: { DATA_ROOT: "s3://lake-bucket/p", S3_ENDPOINT: endpoint, S3_ACCESS_KEY: "k", S3_SECRET_KEY: "s", LAKE_LOCAL_ROOT: work }, timeoutMs: 60_000 });
    expect(build.code).toBe(1);
    expect(build.err).toContain(`via ${endpoint}: connection refused`);
  });
});

describe("lake demo", () => {
  test("without --dir its throw-away lake and NATS store are deleted", async () => {
    const tmp = mkdtempSync(join(work, "tmp-"));
    const r = await runLake(["demo", "--json", "--workers", "1", "--days", "1"], { cwd: work, env: { TMPDIR: tmp }, timeoutMs: 300_000 });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.kept).toBe(false);
    expect(existsSync(report.dir)).toBe(false);
    expect(readdirSync(tmp).filter((n) => n.startsWith("lake-demo-"))).toEqual([]);
  }, 320_000);
});
