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

/** An object's bytes: one buffer, a string (UTF-8), or chunks written in order (never joined in memory on local disk). */
export type PutData = Uint8Array | string | readonly Uint8Array[];

export interface PutOptions {
  /** Replace an existing object. Default false: a put never silently overwrites. */
  overwrite?: boolean;
  /**
   * Compare-and-swap: replace the object only if its current entity tag is this one
   * (from `getVersioned`). Throws PreconditionFailedError when another writer got there
   * first. Implies overwrite.
   */
  ifMatch?: string;
  contentType?: string;
  /**
   * The key is private to its writer until the writer publishes it (a staging area nothing
   * else reads). A local store then writes it under its name directly and fsyncs its bytes,
   * without the temp file, link and directory fsync of a visible put: the writer fsyncs the
   * directory once for all its files (e.g. before its commit record). A put that fails
   * leaves no file. Object stores ignore it (every put there appears whole).
   */
  staged?: boolean;
}

/** An object's bytes together with the entity tag of exactly those bytes. */
export interface VersionedObject {
  data: Uint8Array;
  etag: string;
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
  put(key: string, data: PutData, opts?: PutOptions): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  /** Bytes [start, end) of an object. */
  getRange(key: string, start: number, end: number): Promise<Uint8Array>;
  /** Every object under a key prefix (recursive), sorted by key. */
  list(prefix: string): Promise<ObjectInfo[]>;
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  stat(key: string): Promise<ObjectInfo | null>;
  /**
   * Read an object and the tag of the version read, in one request (a separate stat could
   * see a newer version and make a later compare-and-swap succeed on stale bytes). null if absent.
   */
  getVersioned(key: string): Promise<VersionedObject | null>;
  /**
   * Whether create-only puts and `ifMatch` are enforced by the backend itself, so writers on
   * different machines cannot race. Local disk: always (link(2) + a lock file). S3: probed once
   * per store with a real conditional write; an endpoint that ignores the headers says false.
   */
  conditionalWrites(): Promise<boolean>;
  /** Remove temp files of dead writers under a prefix (local disk; S3 has none). */
  sweepOrphans?(prefix: string): Promise<number>;
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

/** Also matches a not-found error that crossed a worker boundary or another copy of this module (by name). */
export function isNotFound(e: unknown): boolean {
  return e instanceof ObjectNotFoundError || (e as { name?: string } | null)?.name === "ObjectNotFoundError";
}

/** The object's bytes, or null when it does not exist; every other failure is thrown. */
export async function getIfExists(store: Pick<Store, "get">, key: string): Promise<Uint8Array | null> {
  try {
    return await store.get(key);
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

/** A JSON object's parsed value, or null when it does not exist. */
export async function readJsonIfExists<T>(store: Pick<Store, "get">, key: string): Promise<T | null> {
  const bytes = await getIfExists(store, key);
  return bytes === null ? null : (JSON.parse(new TextDecoder().decode(bytes)) as T);
}

/** A conditional put lost: the object changed (ifMatch) since it was read. */
export class PreconditionFailedError extends Error {
  constructor(readonly key: string) {
    super(`object ${key} changed since it was read (precondition failed)`);
    this.name = "PreconditionFailedError";
  }
}
