/**
 * `lake demo --s3`: the lake in a bucket. An S3 lake already configured (DATA_ROOT=s3://…
 * with its endpoint and keys) is used as it is; otherwise a private s3rver is started from
 * the checkout's node_modules (a development dependency: `bun install` puts it there), on a
 * free loopback port, with its files under the demo's directory. s3rver does not enforce
 * conditional writes, so against it the demo declares itself the single writer — true of a
 * private emulator, and never assumed of a configured endpoint.
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Config, S3Settings } from "../config";
import { freePort, waitForListening } from "../core/net";
import { LakeError } from "../errors";
import type { Processes } from "./processes";

export interface DemoBucket {
  settings: S3Settings;
  dataRoot: string;
  singleWriter: boolean;
  /** What `lake serve` needs in its environment to write there (keys never go on a command line). */
  env: Record<string, string>;
  /** Human description for the report. */
  where: string;
}

const BUCKET = "lake-demo";
/** s3rver's fixed credentials. */
const S3RVER_KEY = "S3RVER";

function findS3rver(): string | null {
  const explicit = process.env.LAKE_S3RVER;
  if (explicit) return existsSync(explicit) ? explicit : null;
  // node_modules of the working directory or of the checkout this runs from, nearest first
  // (not the module resolver: Bun's would auto-install into a global cache without s3rver's deps)
  for (const from of [process.cwd(), import.meta.dir]) {
    for (let d = resolve(from); ; d = dirname(d)) {
      const bin = join(d, "node_modules", "s3rver", "bin", "s3rver.js");
      if (existsSync(bin)) return bin;
      if (dirname(d) === d) break;
    }
  }
  return null;
}

export async function s3ForDemo(cfg: Config, procs: Processes, place: { dir: string; logs: string }, say: (m: string) => void): Promise<DemoBucket> {
  if (cfg.dataRoot.startsWith("s3://") && cfg.s3) {
    say(`using the configured bucket ${cfg.dataRoot}${cfg.s3.endpoint ? ` at ${cfg.s3.endpoint}` : ""}`);
    return { settings: cfg.s3, dataRoot: cfg.dataRoot, singleWriter: cfg.singleWriter, env: {}, where: cfg.dataRoot };
  }
  const s3rver = findS3rver();
  const node = Bun.which("node");
  if (!s3rver || !node) {
    throw new LakeError(
      `lake demo --s3 needs an S3 endpoint: ${!node ? "node is not on PATH" : "s3rver is not installed here"} to start a private one (run it from a checkout after \`bun install\`, or set LAKE_S3RVER to s3rver/bin/s3rver.js), or set DATA_ROOT=s3://bucket with S3_ENDPOINT and keys`,
    );
  }
  const dir = join(place.dir, "s3");
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  // --openssl-legacy-provider: s3rver's paging breaks on current OpenSSL without it
  const p = procs.spawn("s3rver", [node, "--openssl-legacy-provider", s3rver, "-d", dir, "-a", "127.0.0.1", "-p", String(port), "-s", "--configure-bucket", BUCKET], place.logs);
  await waitForListening(p, port, 15_000, "s3rver");
  const endpoint = `http://127.0.0.1:${port}`;
  say(`started a private S3 emulator (s3rver) at ${endpoint} (pid ${p.pid}), bucket ${BUCKET}`);
  const settings: S3Settings = { endpoint, bucket: BUCKET, prefix: "", region: "us-east-1", accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY, virtualHostedStyle: false };
  return {
    settings,
    dataRoot: `s3://${BUCKET}`,
    singleWriter: true,
    env: { S3_ENDPOINT: endpoint, S3_ACCESS_KEY: S3RVER_KEY, S3_SECRET_KEY: S3RVER_KEY, S3_REGION: "us-east-1" },
    where: `s3://${BUCKET} on a private s3rver (files in ${dir})`,
  };
}
