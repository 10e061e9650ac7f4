/**
 * S3 backend on Bun's built-in S3Client (path-style, for MinIO/s3rver). Objects become
 * visible only when a PUT or multipart upload completes, so readers never see a torn
 * object. Transient failures (5xx, throttling, connection errors, timeouts) are retried
 * with exponential backoff; auth and bucket problems fail at once with a clear message.
 *
 * No-overwrite is `If-None-Match: *` when the endpoint enforces it (probed once, see
 * s3-conditional.ts), so two writers of one name cannot both win; on endpoints that ignore
 * conditional headers (s3rver) it falls back to check-then-put, which is safe for lake's own
 * object names (unique per writer) but not against a racing writer of the same name —
 * multi-writer operations (`ifMatch`) are refused there. Objects large enough for a
 * multipart upload carry the same precondition on their completion (s3-multipart.ts).
 */
import { S3Client } from "bun";
import type { S3Settings } from "../config";
import { LakeError, errorMessage } from "../errors";
import {
  ObjectExistsError,
  ObjectNotFoundError,
  PreconditionFailedError,
  type ObjectInfo,
  type PutData,
  type PutOptions,
  type Store,
  type VersionedObject,
} from "./store";
import { conditionalPut, getWithEtag, probeConditionalWrites } from "./s3-conditional";
import { conditionalMultipart } from "./s3-multipart";
import { validateKey, validatePrefix } from "../core/keys";

const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
const PART_SIZE = 8 * 1024 * 1024;

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** One attempt that has not answered after this long counts as a transient failure (plus PUT_MS_PER_MIB per MiB written). */
  attemptTimeoutMs?: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 3_000, attemptTimeoutMs: 60_000 };
/** A slow link still moves a MiB in 2 s; a request slower than that is treated as hung. */
const PUT_MS_PER_MIB = 2_000;

export class S3Store implements Store {
  readonly kind = "s3" as const;
  readonly root: string;
  private readonly client: S3Client;
  private readonly prefix: string;
  private conditional: Promise<{ supported: boolean; detail: string }> | null = null;

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
      ...(settings.sessionToken ? { sessionToken: settings.sessionToken } : {}),
      virtualHostedStyle: settings.virtualHostedStyle ?? false,
    });
    this.prefix = settings.prefix ? settings.prefix.replace(/\/+$/, "") + "/" : "";
    this.root = `s3://${settings.bucket}${settings.prefix ? "/" + settings.prefix : ""}`;
  }

  /** " via http://host:port" (S3_ENDPOINT) or the AWS region: where a failing request went. */
  private via(): string {
    return this.settings.endpoint ? ` via ${this.settings.endpoint}` : ` (AWS ${this.settings.region})`;
  }

  private full(key: string): string {
    return this.prefix + validateKey(key);
  }

  /** Probed once per store (a scratch key under `_lake/probe/`); see s3-conditional.ts. */
  conditionalSupport(): Promise<{ supported: boolean; detail: string }> {
    this.conditional ??= this.withRetry("conditional-write probe", () =>
      probeConditionalWrites(this.client, this.full(`_lake/probe/${process.pid}-${crypto.randomUUID()}`)),
    ).catch((e) => {
      this.conditional = null; // an outage is not an answer: probe again next time
      throw e;
    });
    return this.conditional;
  }

  async conditionalWrites(): Promise<boolean> {
    return (await this.conditionalSupport()).supported;
  }

  async getVersioned(key: string): Promise<VersionedObject | null> {
    return this.withRetry(`get ${key}`, () => getWithEtag(this.client, this.full(key)));
  }

  async put(key: string, input: PutData, opts: PutOptions = {}): Promise<void> {
    const k = this.full(key);
    const chunks = typeof input === "string" || input instanceof Uint8Array ? null : input;
    const size = chunks ? chunks.reduce((s, c) => s + c.byteLength, 0) : typeof input === "string" ? Buffer.byteLength(input) : (input as Uint8Array).byteLength;
    // Chunks go part by part into a multipart upload; below the threshold they are joined (≤ 16 MiB).
    const data = chunks && size < MULTIPART_THRESHOLD ? Buffer.concat(chunks as Uint8Array[]) : (input as Uint8Array | string);
    if (opts.ifMatch !== undefined || !opts.overwrite) {
      const cond = await this.conditionalSupport();
      if (cond.supported && size < MULTIPART_THRESHOLD) return this.putConditional(key, data as Uint8Array | string, opts.ifMatch);
      if (cond.supported) return this.putMultipartConditional(key, chunks ?? [typeof input === "string" ? new TextEncoder().encode(input) : (input as Uint8Array)], opts);
      if (opts.ifMatch !== undefined) throw new ConditionalWritesUnsupportedError(this.root, cond.detail);
    }
    if (!opts.overwrite && (await this.exists(key))) throw new ObjectExistsError(key);
    await this.withRetry(`put ${key}`, async () => {
      const file = this.client.file(k);
      if (size >= MULTIPART_THRESHOLD) {
        const w = file.writer({ partSize: PART_SIZE, queueSize: 2, retry: 3, type: opts.contentType });
        if (chunks) for (const c of chunks) await w.write(c);
        else w.write(data);
        await w.end();
      } else {
        await file.write(data, { type: opts.contentType });
      }
    }, undefined, (size / 2 ** 20) * PUT_MS_PER_MIB);
  }

  private async putConditional(key: string, data: Uint8Array | string, ifMatch: string | undefined): Promise<void> {
    const k = this.full(key);
    const condition = ifMatch === undefined ? { ifNoneMatch: "*" as const } : { ifMatch };
    for (let conflicts = 0; ; conflicts++) {
      const r = await this.withRetry(`conditional put ${key}`, () => conditionalPut(this.client, k, data, condition));
      if (r.outcome === "ok") return;
      if (r.outcome === "precondition-failed") throw ifMatch === undefined ? new ObjectExistsError(key) : new PreconditionFailedError(key);
      if (r.outcome === "not-implemented") throw new ConditionalWritesUnsupportedError(this.root, r.body.slice(0, 200));
      // 409: another conditional write on this key is in flight; S3 asks us to retry.
      if (conflicts >= 20) throw new PreconditionFailedError(key);
      await Bun.sleep(20 + Math.random() * 50);
    }
  }

  /** Large objects: multipart, completed with the same precondition a single PUT would carry. */
  private async putMultipartConditional(key: string, chunks: readonly Uint8Array[], opts: PutOptions): Promise<void> {
    const condition = opts.ifMatch === undefined ? { ifNoneMatch: "*" as const } : { ifMatch: opts.ifMatch };
    for (let conflicts = 0; ; conflicts++) {
      const mib = chunks.reduce((n, c) => n + c.byteLength, 0) / 2 ** 20;
      const r = await this.withRetry(`multipart put ${key}`, () => conditionalMultipart(this.settings, this.full(key), partsOf(chunks, PART_SIZE), condition, opts.contentType), undefined, mib * PUT_MS_PER_MIB);
      if (r.outcome === "ok") return;
      if (r.outcome === "precondition-failed") throw opts.ifMatch === undefined ? new ObjectExistsError(key) : new PreconditionFailedError(key);
      if (r.outcome === "not-implemented") throw new ConditionalWritesUnsupportedError(this.root, r.body.slice(0, 200));
      if (conflicts >= 20) throw new PreconditionFailedError(key);
      await Bun.sleep(20 + Math.random() * 50);
    }
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

  private async withRetry<T>(what: string, fn: () => Promise<T>, notFoundKey?: string, extraTimeoutMs = 0): Promise<T> {
    let delay = this.retry.baseDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        // Bun's S3 requests take no abort signal: a request that never answers (a half-open
        // connection to a restarted endpoint) is left behind, so that every caller's wait ends.
        return await settleWithin(fn(), (this.retry.attemptTimeoutMs ?? DEFAULT_RETRY.attemptTimeoutMs!) + extraTimeoutMs);
      } catch (e) {
        const kind = classify(e);
        if (kind === "not-found" && notFoundKey !== undefined) throw new ObjectNotFoundError(notFoundKey);
        if (kind === "fatal") throw new LakeError(`S3 ${what} failed on ${this.root}${this.via()}: ${describe(e)}`);
        if (attempt >= this.retry.attempts) {
          throw new S3UnavailableError(`S3 ${what} failed after ${attempt} attempts on ${this.root}${this.via()}: ${describe(e)}`);
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

/** A multi-writer operation on an endpoint that does not enforce conditional writes: refused, never raced. */
export class ConditionalWritesUnsupportedError extends LakeError {
  constructor(root: string, detail: string) {
    super(
      `${root}: this S3 endpoint does not enforce conditional writes (${detail}); refusing an update that concurrent writers could lose — use AWS S3, MinIO or R2, or run a single writer on local disk`,
      1,
    );
    this.name = "ConditionalWritesUnsupportedError";
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
  "RequestTimeTooSkewed",
  "InvalidToken",
  "ExpiredToken",
  "ERR_S3_MISSING_CREDENTIALS",
  "ERR_S3_INVALID_ENDPOINT",
  "ERR_S3_INVALID_PATH",
]);

async function settleWithin<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(ms / 1000)} s (request timed out)`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

function classify(e: unknown): Failure {
  const code = (e as { code?: string })?.code ?? "";
  const msg = errorMessage(e);
  if (code === "NoSuchKey" || code === "NotFound" || /\b404\b|NoSuchKey|not found/i.test(code + " " + msg)) {
    if (!/bucket/i.test(code + msg)) return "not-found";
  }
  if (FATAL_CODES.has(code)) return "fatal";
  if (/AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|NoSuchBucket|RequestTimeTooSkewed|ExpiredToken|InvalidToken/.test(msg)) return "fatal";
  return "transient";
}

/** One line a person at 3 a.m. can act on, with the server's own words in parentheses. */
function describe(e: unknown): string {
  const code = (e as { code?: string })?.code ?? "";
  const msg = errorMessage(e);
  const both = `${code} ${msg}`;
  if (/ECONNREFUSED|ConnectionRefused/.test(both)) return "connection refused: is the S3 endpoint up and S3_ENDPOINT / AWS_ENDPOINT_URL_S3 right?";
  if (/NoSuchBucket/.test(both)) return `bucket does not exist — create it or fix DATA_ROOT / S3_BUCKET (${msg})`;
  if (/InvalidAccessKeyId/.test(both)) return `unknown access key — check S3_ACCESS_KEY / AWS_ACCESS_KEY_ID (${msg})`;
  if (/SignatureDoesNotMatch/.test(both)) return `wrong secret key — check S3_SECRET_KEY / AWS_SECRET_ACCESS_KEY (${msg})`;
  if (/RequestTimeTooSkewed/.test(both)) return `this machine's clock is too far from the server's — sync it (NTP) and retry (${msg})`;
  if (/ExpiredToken|InvalidToken/.test(both)) return `session token expired or invalid — refresh S3_SESSION_TOKEN / AWS_SESSION_TOKEN (${msg})`;
  if (/AccessDenied|AllAccessDisabled/.test(both)) return `permission denied on this key or prefix — the credentials lack access to it (${msg})`;
  return code ? `${code}: ${msg}` : msg;
}

/** `chunks` re-cut into parts of `size` bytes (the last may be shorter), copying only at part edges. */
export function* partsOf(chunks: readonly Uint8Array[], size: number): Generator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let have = 0;
  for (let c of chunks) {
    while (have + c.byteLength >= size) {
      const take = size - have;
      pending.push(c.subarray(0, take));
      yield pending.length === 1 ? pending[0]! : Buffer.concat(pending);
      c = c.subarray(take);
      pending = [];
      have = 0;
    }
    if (c.byteLength) {
      pending.push(c);
      have += c.byteLength;
    }
  }
  if (have) yield pending.length === 1 ? pending[0]! : Buffer.concat(pending);
}
