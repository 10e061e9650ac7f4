/**
 * One compaction at a time per lake: `_compact/lock.json` in the lake's own Store (so it
 * works the same on S3), renewed while the run lasts. A run that died leaves a lock that
 * expires (TTL) — or, on the same host, is broken at once when its process is gone. The
 * lock is what lets a run delete the outputs of an uncommitted run as orphans.
 */
import { hostname } from "node:os";
import { LakeError } from "../errors";
import type { Store } from "../storage/store";
import { ObjectExistsError, readJsonIfExists } from "../storage/store";

export const LOCK_KEY = "_compact/lock.json";
const TTL_MS = 120_000;

interface LockBody {
  owner: string;
  host: string;
  pid: number;
  expiresAt: number;
}

export class CompactionBusyError extends LakeError {
  constructor(readonly holder: LockBody) {
    super(`another compaction is running on this lake (pid ${holder.pid} on ${holder.host}, lock ${LOCK_KEY} valid until ${new Date(holder.expiresAt).toISOString()})`, 1);
    this.name = "CompactionBusyError";
  }
}

export interface CompactionLock extends AsyncDisposable {
  readonly owner: string;
}

export async function acquireCompactionLock(store: Store, owner: string): Promise<CompactionLock> {
  const body = (): LockBody => ({ owner, host: hostname(), pid: process.pid, expiresAt: Date.now() + TTL_MS });
  for (let attempt = 0; ; attempt++) {
    try {
      await store.put(LOCK_KEY, JSON.stringify(body()), { contentType: "application/json" });
      break;
    } catch (e) {
      if (!(e instanceof ObjectExistsError || (e as { name?: string }).name === "ObjectExistsError") || attempt > 2) throw e;
    }
    const held = await readLock(store);
    if (held && !stale(held)) throw new CompactionBusyError(held);
    await store.delete(LOCK_KEY); // expired, or its process is gone
  }
  const renew = setInterval(() => {
    store.put(LOCK_KEY, JSON.stringify(body()), { overwrite: true, contentType: "application/json" }).catch(() => {});
  }, TTL_MS / 4);
  renew.unref?.();
  return {
    owner,
    async [Symbol.asyncDispose]() {
      clearInterval(renew);
      const held = await readLock(store).catch(() => null);
      if (held?.owner === owner) await store.delete(LOCK_KEY);
    },
  };
}

async function readLock(store: Store): Promise<LockBody | null> {
  try {
    return await readJsonIfExists<LockBody>(store, LOCK_KEY);
  } catch (e) {
    if (e instanceof SyntaxError) return { owner: "?", host: "?", pid: 0, expiresAt: 0 }; // torn: treat as expired
    throw e;
  }
}

function stale(l: LockBody): boolean {
  if (l.expiresAt < Date.now()) return true;
  if (l.host !== hostname()) return false;
  if (l.pid === process.pid) return false;
  try {
    process.kill(l.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "EPERM";
  }
}
