/**
 * Multipart upload that completes conditionally: CreateMultipartUpload, UploadPart × n, then
 * CompleteMultipartUpload with `If-None-Match: *` (create only) or `If-Match: <etag>`
 * (compare-and-swap) — which AWS S3 evaluates on the completion, so a large object gets the
 * same never-overwrite and compare-and-swap semantics as a single PUT. A 412 aborts the upload
 * (its parts are discarded) and is reported like a single PUT's. Bun's S3Client can neither
 * add headers nor sign sub-resource queries (`?uploads`, `?partNumber=…&uploadId=…`), so these
 * requests are presigned here (AWS Signature V4, query-string form, UNSIGNED-PAYLOAD).
 */
import { createHash, createHmac } from "node:crypto";
import type { S3Settings } from "../config";
import { S3HttpError, type ConditionalOutcome } from "./s3-conditional";

const URL_TTL_S = 900;

function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A SigV4 presigned URL for `method` on `fullKey` with extra query parameters (sub-resources). */
export function presignQuery(s: S3Settings, method: string, fullKey: string, query: Record<string, string>, now = new Date(), expiresS = URL_TTL_S): string {
  const endpoint = new URL(s.endpoint ?? `https://s3.${s.region}.amazonaws.com`);
  const virtual = s.virtualHostedStyle ?? false;
  const host = virtual ? `${s.bucket}.${endpoint.host}` : endpoint.host;
  const basePath = endpoint.pathname.replace(/\/+$/, "");
  const path = `${basePath}${virtual ? "" : `/${encode(s.bucket)}`}/${fullKey.split("/").map(encode).join("/")}`;
  const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${s.region}/s3/aws4_request`;
  const params: Record<string, string> = {
    ...query,
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    "X-Amz-Credential": `${s.accessKeyId}/${scope}`,
    "X-Amz-Date": amzDate,
    "X-Amz-Expires": String(expiresS),
    "X-Amz-SignedHeaders": "host",
    ...(s.sessionToken ? { "X-Amz-Security-Token": s.sessionToken } : {}),
  };
  const qs = Object.keys(params)
    .sort()
    .map((k) => `${encode(k)}=${encode(params[k]!)}`)
    .join("&");
  const canonical = [method, path, qs, `host:${host}`, "", "host", "UNSIGNED-PAYLOAD"].join("\n");
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, createHash("sha256").update(canonical).digest("hex")].join("\n");
  let key: Buffer = createHmac("sha256", `AWS4${s.secretAccessKey}`).update(day).digest();
  for (const part of [s.region, "s3", "aws4_request"]) key = createHmac("sha256", key).update(part).digest();
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  return `${endpoint.protocol}//${host}${path}?${qs}&X-Amz-Signature=${signature}`;
}

async function request(url: string, init: RequestInit): Promise<{ status: number; body: string; etag: string | null }> {
  const res = await fetch(url, init);
  const body = await res.text();
  return { status: res.status, body, etag: res.headers.get("etag") };
}

export interface MultipartResult {
  outcome: Exclude<ConditionalOutcome, "not-implemented"> | "not-implemented";
  status: number;
  body: string;
}

/**
 * Upload `parts` (each ≥ 5 MiB but the last) as one object, completed under `condition`.
 * Any failure before completion aborts the upload; so does a refused completion.
 */
export async function conditionalMultipart(
  s: S3Settings,
  fullKey: string,
  parts: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  condition: { ifNoneMatch: "*" } | { ifMatch: string },
  contentType?: string,
): Promise<MultipartResult> {
  const created = await request(presignQuery(s, "POST", fullKey, { uploads: "" }), { method: "POST", ...(contentType ? { headers: { "Content-Type": contentType } } : {}) });
  if (created.status !== 200) throw new S3HttpError(created.status, created.body);
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.body)?.[1];
  if (!uploadId) throw new S3HttpError(created.status, "<Code>MissingUploadId</Code><Message>CreateMultipartUpload returned no UploadId</Message>");
  const abort = () => request(presignQuery(s, "DELETE", fullKey, { uploadId }), { method: "DELETE" }).catch(() => undefined);
  try {
    const etags: string[] = [];
    for await (const part of parts) {
      const n = etags.length + 1;
      const r = await request(presignQuery(s, "PUT", fullKey, { partNumber: String(n), uploadId }), { method: "PUT", body: part });
      if (r.status !== 200 || !r.etag) throw new S3HttpError(r.status, r.body || "<Code>MissingETag</Code><Message>UploadPart returned no ETag</Message>");
      etags.push(r.etag);
    }
    const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join("")}</CompleteMultipartUpload>`;
    const headers: Record<string, string> = { "Content-Type": "application/xml", ...("ifNoneMatch" in condition ? { "If-None-Match": "*" } : { "If-Match": condition.ifMatch }) };
    const done = await request(presignQuery(s, "POST", fullKey, { uploadId }), { method: "POST", body: xml, headers });
    // a completion can fail inside a 200 response (S3 streams whitespace, then the error)
    const failedInside = done.status === 200 && /<Error>/.test(done.body);
    const status = failedInside ? Number(/<Code>PreconditionFailed<\/Code>/.test(done.body) ? 412 : 500) : done.status;
    if (status >= 200 && status < 300) return { outcome: "ok", status, body: "" };
    await abort();
    if (status === 412) return { outcome: "precondition-failed", status, body: done.body };
    if (status === 409 && /ConditionalRequestConflict/.test(done.body)) return { outcome: "conflict", status, body: done.body };
    if (status === 501 || /NotImplemented/.test(done.body)) return { outcome: "not-implemented", status, body: done.body };
    throw new S3HttpError(status, done.body);
  } catch (e) {
    await abort();
    throw e;
  }
}
