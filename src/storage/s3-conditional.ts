/**
 * S3 conditional requests: create-only (`If-None-Match: *`) and compare-and-swap
 * (`If-Match: <etag>`) PUTs, and GETs that return the ETag of exactly the bytes read.
 * Bun's S3Client has no way to add request headers, so these go through a short-lived
 * presigned URL and fetch: the signature covers the method, key and host; the
 * conditional headers ride along unsigned, which S3, MinIO and R2 accept.
 *
 * Whether an endpoint enforces the headers is not assumed: `probeConditionalWrites`
 * makes real conditional writes on a scratch key and checks the server refused the
 * second one. Emulators that ignore the headers (s3rver, fauxqs 2.4) answer 200 and are
 * reported as not supporting them.
 */
import type { S3Client } from "bun";

export type ConditionalOutcome = "ok" | "precondition-failed" | "conflict" | "not-implemented";

export interface ConditionalPutResult {
  outcome: ConditionalOutcome;
  etag?: string;
  status: number;
  body: string;
}

const URL_TTL_S = 300;

export async function conditionalPut(
  client: S3Client,
  fullKey: string,
  data: Uint8Array | string,
  condition: { ifNoneMatch: "*" } | { ifMatch: string },
): Promise<ConditionalPutResult> {
  const url = client.presign(fullKey, { method: "PUT", expiresIn: URL_TTL_S });
  const headers: Record<string, string> = "ifNoneMatch" in condition ? { "If-None-Match": "*" } : { "If-Match": condition.ifMatch };
  const res = await fetch(url, { method: "PUT", body: data, headers });
  const body = res.ok ? "" : await res.text();
  if (res.ok) await res.arrayBuffer().catch(() => undefined);
  const etag = res.headers.get("etag") ?? undefined;
  return { outcome: outcomeOf(res.status, body), status: res.status, body, ...(etag ? { etag } : {}) };
}

function outcomeOf(status: number, body: string): ConditionalOutcome {
  if (status >= 200 && status < 300) return "ok";
  if (status === 412) return "precondition-failed";
  // S3: a concurrent conditional write on the same key answers 409 ConditionalRequestConflict; retry.
  if (status === 409 && /ConditionalRequestConflict/.test(body)) return "conflict";
  if (status === 501 || /NotImplemented/.test(body)) return "not-implemented";
  throw new S3HttpError(status, body);
}

/** A non-conditional failure of a presigned request: status plus the S3 error code, for classification. */
export class S3HttpError extends Error {
  readonly code: string;
  constructor(
    readonly status: number,
    body: string,
  ) {
    const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? `HTTP${status}`;
    const msg = /<Message>([^<]+)<\/Message>/.exec(body)?.[1] ?? "";
    super(`${code}${msg ? `: ${msg}` : ""} (HTTP ${status})`);
    this.code = status === 404 && code === `HTTP404` ? "NoSuchKey" : code;
    this.name = "S3HttpError";
  }
}

/** GET with the ETag of the returned bytes (one request: no stat/get race). null when absent. */
export async function getWithEtag(client: S3Client, fullKey: string): Promise<{ data: Uint8Array; etag: string } | null> {
  const url = client.presign(fullKey, { method: "GET", expiresIn: URL_TTL_S });
  const res = await fetch(url);
  if (res.status === 404) {
    const body = await res.text();
    if (/NoSuchBucket/.test(body)) throw new S3HttpError(404, body);
    return null;
  }
  if (!res.ok) throw new S3HttpError(res.status, await res.text());
  const data = new Uint8Array(await res.arrayBuffer());
  const etag = res.headers.get("etag");
  if (!etag) throw new S3HttpError(res.status, "<Code>MissingETag</Code><Message>the endpoint returned no ETag</Message>");
  return { data, etag };
}

/**
 * Does the endpoint enforce conditional PUTs? Writes a scratch object create-only, then
 * tries (a) a second create-only PUT and (b) an If-Match PUT with a wrong tag: both must be
 * refused with 412. Removes the scratch object afterwards.
 */
export async function probeConditionalWrites(client: S3Client, scratchKey: string): Promise<{ supported: boolean; detail: string }> {
  try {
    const first = await conditionalPut(client, scratchKey, "probe-1", { ifNoneMatch: "*" });
    if (first.outcome === "not-implemented") return { supported: false, detail: "If-None-Match on PUT is not implemented (501)" };
    if (first.outcome !== "ok") return { supported: false, detail: `create-only PUT of a fresh key answered ${first.status}` };
    const again = await conditionalPut(client, scratchKey, "probe-2", { ifNoneMatch: "*" });
    if (again.outcome !== "precondition-failed") {
      return { supported: false, detail: `a second If-None-Match: * PUT of an existing key answered ${again.status}, not 412` };
    }
    const wrongTag = await conditionalPut(client, scratchKey, "probe-3", { ifMatch: '"00000000000000000000000000000000"' });
    if (wrongTag.outcome !== "precondition-failed") {
      return { supported: false, detail: `an If-Match PUT with a stale ETag answered ${wrongTag.status}, not 412` };
    }
    return { supported: true, detail: "If-None-Match: * and If-Match enforced on PUT" };
  } finally {
    await client.file(scratchKey).delete().catch(() => undefined);
  }
}
