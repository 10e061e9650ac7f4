/**
 * S3 backend on Bun's built-in S3Client (path-style, for MinIO/s3rver). Objects become
 * visible only when a PUT or multipart upload completes, so readers never see a torn
 * object. Transient failures (5xx, throttling, connection errors, timeouts) are retried
 * with exponential backoff; auth and bucket problems fail at once with a clear message.
 *
 * No-overwrite is check-then-put: S3 has no portable exclusive create (s3rver ignores
 * If-None-Match). lake's own object names are unique per writer (writer id + counter),
 * so the check guards against mistakes, not against a racing writer of the same name.
 */
import { S3Client } from "bun";
import type { S3Settings } from "../config";
import { LakeError, errorMessage } from "../errors";
import { ObjectExistsError, ObjectNotFoundError, type ObjectInfo, type PutOptions, type Store } from "./store";
import { validateKey, validatePrefix } from "./keys";

const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
const PART_SIZE = 8 * 1024 * 1024;

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 3_000 };

export class S3Store implements Store {
  readonly kind = "s3" as const;
  readonly root: string;
  private readonly client: S3Client;
  private readonly prefix: string;

  constructor(
    readonly settings: S3Settings,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.client = new S3Client({
      accessKeyId: settings.accessKeyId,
      secretAccessKey: settings.secretAccessKey,
      bucket: settings.bucket,
      endpoint: settings.endpoint,
      region: settings.region,
      virtualHostedStyle: false,
    });
    this.prefix = settings.prefix ? settings.prefix.replace(/\/+$/, "") + "/" : "";
    this.root = `s3://${settings.bucket}${settings.prefix ? "/" + settings.prefix : ""}`;
  }

  private full(key: string): string {
    return this.prefix + validateKey(key);
  }

  async put(key: string, data: Uint8Array | string, opts: PutOptions = {}): Promise<void> {
    const k = this.full(key);
    if (!opts.overwrite && (await this.exists(key))) throw new ObjectExistsError(key);
    const size = typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
    await this.withRetry(`put ${key}`, async () => {
      const file = this.client.file(k);
      if (size >= MULTIPART_THRESHOLD) {
        const w = file.writer({ partSize: PART_SIZE, queueSize: 2, retry: 3, type: opts.contentType });
        w.write(data);
        await w.end();
      } else {
        await file.write(data, { type: opts.contentType });
      }
    });
  }

  async get(key: string): Promise<Uint8Array> {
    return this.withRetry(`get ${key}`, async () => new Uint8Array(await this.client.file(this.full(key)).arrayBuffer()), key);
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    if (end <= start) return new Uint8Array(0);
    return this.withRetry(
      `get ${key} [${start},${end})`,
      async () => new Uint8Array(await this.client.file(this.full(key)).slice(start, end).arrayBuffer()),
      key,
    );
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    validatePrefix(prefix);
    const out: ObjectInfo[] = [];
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.withRetry(`list ${prefix}`, () =>
        this.client.list({ prefix: this.prefix + prefix, maxKeys: 1000, startAfter }),
      );
      const contents = page.contents ?? [];
      for (const o of contents) {
        out.push({
          key: o.key.slice(this.prefix.length),
          size: o.size ?? 0,
          mtimeMs: o.lastModified ? new Date(o.lastModified).getTime() : 0,
          ...(o.eTag ? { etag: o.eTag } : {}),
        });
      }
      if (!page.isTruncated || contents.length === 0) break;
      startAfter = contents[contents.length - 1]!.key;
    }
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }

  async delete(key: string): Promise<void> {
    await this.withRetry(`delete ${key}`, () => this.client.file(this.full(key)).delete());
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    try {
      const st = await this.withRetry(`stat ${key}`, () => this.client.file(this.full(key)).stat(), key);
      return { key, size: st.size, mtimeMs: new Date(st.lastModified).getTime(), ...(st.etag ? { etag: st.etag } : {}) };
    } catch (e) {
      if (e instanceof ObjectNotFoundError) return null;
      throw e;
    }
  }

  private async withRetry<T>(what: string, fn: () => Promise<T>, notFoundKey?: string): Promise<T> {
    let delay = this.retry.baseDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const kind = classify(e);
        if (kind === "not-found" && notFoundKey !== undefined) throw new ObjectNotFoundError(notFoundKey);
        if (kind === "fatal") throw new LakeError(`S3 ${what} failed on ${this.root}: ${describe(e)}`);
        if (attempt >= this.retry.attempts) {
          throw new S3UnavailableError(`S3 ${what} failed after ${attempt} attempts on ${this.root}: ${describe(e)}`);
        }
        await Bun.sleep(delay * (0.5 + Math.random()));
        delay = Math.min(delay * 2, this.retry.maxDelayMs);
      }
    }
  }
}

/** Transient S3 failure that outlasted the retries: callers (ingest) keep data un-acked and try later. */
export class S3UnavailableError extends LakeError {
  constructor(message: string) {
    super(message, 1);
    this.name = "S3UnavailableError";
  }
}

type Failure = "not-found" | "fatal" | "transient";

const FATAL_CODES = new Set([
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "NoSuchBucket",
  "InvalidBucketName",
  "AllAccessDisabled",
  "ERR_S3_MISSING_CREDENTIALS",
  "ERR_S3_INVALID_ENDPOINT",
  "ERR_S3_INVALID_PATH",
]);

function classify(e: unknown): Failure {
  const code = (e as { code?: string })?.code ?? "";
  const msg = errorMessage(e);
  if (code === "NoSuchKey" || code === "NotFound" || /\b404\b|NoSuchKey|not found/i.test(code + " " + msg)) {
    if (!/bucket/i.test(code + msg)) return "not-found";
  }
  if (FATAL_CODES.has(code)) return "fatal";
  if (/AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|NoSuchBucket/.test(msg)) return "fatal";
  return "transient";
}

function describe(e: unknown): string {
  const code = (e as { code?: string })?.code;
  const msg = errorMessage(e);
  if (code === "NoSuchBucket" || /NoSuchBucket/.test(msg)) return `bucket does not exist (${msg})`;
  if (/AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch/.test(code + msg)) {
    return `access denied — check S3_ACCESS_KEY / S3_SECRET_KEY (${msg})`;
  }
  return code ? `${code}: ${msg}` : msg;
}
