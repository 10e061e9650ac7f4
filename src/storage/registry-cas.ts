/**
 * Read-modify-write of a small JSON object (catalog, experiment registry) without a lock:
 * read the object with its entity tag, apply the change, write it back only if the tag is
 * unchanged (`If-Match`; `If-None-Match: *` when it did not exist yet). A writer that lost
 * the race re-reads and re-applies its change, so concurrent writers on different
 * machines lose nothing. Changes must be written as functions of the state they get (an
 * upsert by id), because a retried change may run again on a newer state.
 */
import { LakeError } from "../errors";
import { ConditionalWritesUnsupportedError } from "./s3";
import { ObjectExistsError, PreconditionFailedError, type Store } from "./store";

export interface CasUpdateOptions {
  /** Give up after this many lost races (default 200: contention of a few writers resolves far sooner). */
  maxAttempts?: number;
  /**
   * The operator vouches for a single writer (LAKE_SINGLE_WRITER): on a store without
   * conditional writes the update is check-then-put instead of refused.
   */
  singleWriter?: boolean;
}

export const SINGLE_WRITER_HINT = "probe write was not refused; set LAKE_SINGLE_WRITER=true only if no other process or machine writes this lake";

export class CasContentionError extends LakeError {
  constructor(key: string, attempts: number) {
    super(`gave up updating ${key} after ${attempts} concurrent-write conflicts; try again`, 1);
    this.name = "CasContentionError";
  }
}

/**
 * Apply `change` to the JSON at `key` atomically. `change` gets the parsed current value
 * (or `initial()` when absent) and returns the new value plus a result for the caller.
 * Returns that result from the attempt that won.
 */
export async function updateJsonObject<V, R>(
  store: Store,
  key: string,
  initial: () => V,
  change: (current: V) => Promise<{ value: V; result: R }> | { value: V; result: R },
  opts: CasUpdateOptions = {},
): Promise<R> {
  const cas = await store.conditionalWrites();
  if (!cas && !opts.singleWriter) {
    throw new ConditionalWritesUnsupportedError(store.root, SINGLE_WRITER_HINT);
  }
  const maxAttempts = opts.maxAttempts ?? 200;
  let delay = 5;
  for (let attempt = 1; ; attempt++) {
    const current = await store.getVersioned(key);
    const value = current ? (JSON.parse(new TextDecoder().decode(current.data)) as V) : initial();
    const { value: next, result } = await change(value);
    const body = JSON.stringify(next, null, 2) + "\n";
    try {
      if (current && cas) await store.put(key, body, { ifMatch: current.etag, contentType: "application/json" });
      else if (current) await putIfUnchanged(store, key, body, current.etag);
      else await store.put(key, body, { contentType: "application/json" });
      return result;
    } catch (e) {
      if (!(e instanceof PreconditionFailedError || e instanceof ObjectExistsError)) throw e;
      if (attempt >= maxAttempts) throw new CasContentionError(key, attempt);
      // Jittered back-off: two writers retrying in lock-step would keep colliding.
      await Bun.sleep(delay * (0.5 + Math.random()));
      delay = Math.min(delay * 2, 200);
    }
  }
}

/** Check-then-put for a declared single writer on a store that cannot compare-and-swap. */
async function putIfUnchanged(store: Store, key: string, body: string, etag: string): Promise<void> {
  if ((await store.getVersioned(key))?.etag !== etag) throw new PreconditionFailedError(key);
  await store.put(key, body, { overwrite: true, contentType: "application/json" });
}
