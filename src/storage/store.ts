/**
 * The one small interface every tier writes through. Keys are `/`-separated paths
 * relative to the lake root (e.g. `bronze/futures/trades/symbol=ES/date=…/hour=…/part-….parquet`),
 * validated by keys.ts before any backend sees them.
 */
export interface ObjectInfo {
  key: string;
  size: number;
  mtimeMs: number;
  /** S3 entity tag, when the backend gives one: changes whenever the object's bytes do. */
  etag?: string;
}

export interface PutOptions {
  /** Replace an existing object. Default false: a put never silently overwrites. */
  overwrite?: boolean;
  contentType?: string;
}

export interface Store {
  /** `file` or `s3` */
  readonly kind: "file" | "s3";
  /** Human-readable root: an absolute directory or `s3://bucket/prefix`. */
  readonly root: string;
  /**
   * Atomically write an object: readers see nothing or the whole object.
   * Local: temp file → fsync → rename → fsync dir. S3: completed PUT/multipart.
   * Throws ObjectExistsError if it exists and `overwrite` is not set.
   */
  put(key: string, data: Uint8Array | string, opts?: PutOptions): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  /** Bytes [start, end) of an object. */
  getRange(key: string, start: number, end: number): Promise<Uint8Array>;
  /** Every object under a key prefix (recursive), sorted by key. */
  list(prefix: string): Promise<ObjectInfo[]>;
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  stat(key: string): Promise<ObjectInfo | null>;
  /** Local path of the root when kind === "file" (DuckDB reads it directly). */
  readonly localRoot?: string;
}

export class ObjectExistsError extends Error {
  constructor(readonly key: string) {
    super(`refusing to overwrite existing object ${key}`);
    this.name = "ObjectExistsError";
  }
}

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`object not found: ${key}`);
    this.name = "ObjectNotFoundError";
  }
}
