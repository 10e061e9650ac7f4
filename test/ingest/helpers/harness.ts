/**
 * Test harness for the ingest area: run `lake serve` as a real subprocess, publish through
 * JetStream, and read back what landed in the lake with DuckDB.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { mkdtempSync, readdirSync, rmSync, mkdirSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { duckConnect } from "../../../src/runtime/duckdb-native";
import { ensureStreams } from "../../../src/ingest/jetstream";
import type { Store } from "../../../src/storage/store";

const ROOT = resolve(import.meta.dir, "../../..");

export function tempDir(prefix: string): { path: string } & Disposable {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

export interface ServeProc extends AsyncDisposable {
  readonly proc: ReturnType<typeof Bun.spawn>;
  readonly logFile: string;
  kill9(): Promise<void>;
  term(): Promise<number>;
  log(): string;
}

export function startServe(natsUrl: string, dataRoot: string, extra: string[] = [], env: Record<string, string> = {}, logFile = join(dataRoot, `../serve-${Date.now()}-${Math.random().toString(36).slice(2)}.log`)): ServeProc {
  const proc = Bun.spawn(
    ["bun", "run", join(ROOT, "src/main.ts"), "serve", "--nats-url", natsUrl, "--data-root", dataRoot,
      "--bronze-flush-interval", "0.3", "--gold-flush-interval", "0.3", "--summary-interval", "2", ...extra],
    { cwd: ROOT, stdout: "ignore", stderr: Bun.file(logFile), env: { ...process.env, USE_S3: "false", ...env } },
  );
  return {
    proc,
    logFile,
    async kill9() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
    async term() {
      proc.kill("SIGTERM");
      return await proc.exited;
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
    async [Symbol.asyncDispose]() {
      if (proc.exitCode === null && !proc.killed) {
        proc.kill("SIGKILL");
        await proc.exited;
      }
    },
  };
}

export async function natsClient(url: string): Promise<NatsConnection & AsyncDisposable> {
  const nc = await connect({ servers: url, noAsyncTraces: true, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  return Object.assign(nc, { [Symbol.asyncDispose]: () => nc.close() });
}

export async function createStreams(nc: NatsConnection): Promise<void> {
  await ensureStreams(await jetstreamManager(nc));
}

const enc = new TextEncoder();

/** Publish with JetStream acks (pipelined); returns the stream sequence of each message. */
export async function publishAll(nc: NatsConnection, msgs: { subject: string; body: string | Uint8Array }[], window = 500): Promise<number[]> {
  const js = jetstream(nc);
  const seqs = new Array<number>(msgs.length);
  for (let i = 0; i < msgs.length; i += window) {
    const chunk = msgs.slice(i, i + window);
    const acks = await Promise.all(chunk.map((m) => js.publish(m.subject, typeof m.body === "string" ? enc.encode(m.body) : m.body, { retries: 20 })));
    acks.forEach((a, k) => (seqs[i + k] = a.seq));
  }
  return seqs;
}

/** Every row of a table under `dir` (local lake root), via DuckDB, with the file name. */
export async function readTable(dir: string, prefix: string, orderBy = "filename"): Promise<Record<string, unknown>[]> {
  const base = join(dir, prefix);
  if (!existsSync(base)) return [];
  using conn = await duckConnect({ threads: 1 });
  const reader = await conn.runAndReadAll(
    `SELECT * FROM read_parquet('${base}/**/*.parquet', hive_partitioning = false, filename = true) ORDER BY ${orderBy}`,
  );
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

/** Copy every object under `prefix` of a store into a local dir (S3 read-back for DuckDB). */
export async function mirror(store: Store, prefix: string, dir: string): Promise<void> {
  for (const o of await store.list(prefix)) {
    const p = join(dir, ...o.key.split("/"));
    mkdirSync(join(p, ".."), { recursive: true });
    writeFileSync(p, await store.get(o.key));
  }
}

export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => !f.includes(".lake-tmp-")).sort();
}

/** Poll until `cond` is true or the timeout passes (then throw with `what`). */
export async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(100);
  }
}

/** Committed watermark of a consumer from its commit record (local root). */
export function watermark(dataRoot: string, durable: string): number {
  const p = join(dataRoot, "_ingest", durable, "commit.json");
  return existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")).watermark as number) : 0;
}
