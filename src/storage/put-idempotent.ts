/**
 * A put that may be retried after an attempt whose outcome is unknown (a timeout, a reset
 * connection): finding the object already there is success only when it holds exactly these
 * bytes. An attempt cut off mid-upload can leave a torn object on stores whose PUT is not
 * atomic (emulators, some gateways); the key is the caller's own, so anything else found
 * there is replaced.
 */
import { ObjectExistsError, type PutData, type Store } from "./store";

export async function putIdempotent(store: Store, key: string, data: PutData): Promise<void> {
  try {
    await store.put(key, data);
  } catch (e) {
    if (!(e instanceof ObjectExistsError || (e as { name?: string }).name === "ObjectExistsError")) {
      // The put or its existence check failed: a torn object can make even a HEAD of the key
      // fail for good (s3rver answers 500 for one). The key is the caller's own, so write over
      // whatever is there; in an outage this fails too and the caller retries as before.
      await store.put(key, data, { overwrite: true });
      return;
    }
    const found = await store.get(key).catch(() => null);
    if (found && equalBytes(found, putBytes(data))) return;
    await store.put(key, data, { overwrite: true });
  }
}

function putBytes(data: PutData): Uint8Array {
  if (typeof data === "string") return new TextEncoder().encode(data);
  return data instanceof Uint8Array ? data : Buffer.concat(data as Uint8Array[]);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}
