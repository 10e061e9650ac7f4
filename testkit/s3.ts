/**
 * Start a private s3rver (real S3 protocol, files on disk) on a free loopback port with a
 * temp directory and one bucket. Runs under `node --openssl-legacy-provider` (its paging
 * breaks otherwise). Stopped by PID. s3rver's default credentials are S3RVER/S3RVER.
 *
 *   await using s3 = await startS3rver();
 *   const store = s3Store(s3.s3Settings);
 *   await s3.stop(); … await s3.start();   // an outage, same data
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { S3Settings } from "../src/config";
import { freePort } from "./net";
import { spawnService, waitForListening } from "./processes";

const S3RVER_BIN = resolve(import.meta.dir, "../node_modules/s3rver/bin/s3rver.js");

export interface S3rver extends AsyncDisposable {
  readonly endpoint: string;
  readonly bucket: string;
  readonly port: number;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly dir: string;
  /** Settings for s3Store / Config (prefix ""). */
  readonly s3Settings: S3Settings;
  /** Environment for a `lake` subprocess pointed at this server. */
  env(prefix?: string): Record<string, string>;
  pid(): number;
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export async function startS3rver(opts: { bucket?: string; port?: number } = {}): Promise<S3rver> {
  const bucket = opts.bucket ?? "lake-test";
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "lake-s3rver-"));
  let proc: ReturnType<typeof Bun.spawn> | null = null;

  async function start() {
    // spawnService: dies with the test process even on SIGKILL (testkit/processes.ts).
    proc = spawnService(["node", "--openssl-legacy-provider", S3RVER_BIN, "-d", dir, "-a", "127.0.0.1", "-p", String(port), "-s", "--configure-bucket", bucket]);
    await waitForListening(proc, port, 15_000, "s3rver");
  }
  async function stop() {
    if (!proc) return;
    const p = proc;
    proc = null;
    p.kill("SIGKILL");
    await p.exited;
  }

  await start();
  const endpoint = `http://127.0.0.1:${port}`;
  const s3Settings: S3Settings = {
    endpoint,
    bucket,
    prefix: "",
    region: "us-east-1",
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
  };
  return {
    endpoint,
    bucket,
    port,
    dir,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    s3Settings,
    env: (prefix = "") => ({
      USE_S3: "true",
      DATA_ROOT: `s3://${bucket}${prefix ? "/" + prefix : ""}`,
      S3_ENDPOINT: endpoint,
      S3_ACCESS_KEY: "S3RVER",
      S3_SECRET_KEY: "S3RVER",
      S3_REGION: "us-east-1",
    }),
    pid: () => proc?.pid ?? -1,
    start,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    async [Symbol.asyncDispose]() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
