/**
 * The second guard of a durable's ownership on a local data root: an exclusive flock(2) on
 * `_ingest/{durable}/.lock`, held by the process for as long as it owns the durable.
 *
 * Why besides the NATS lease: the kernel drops the lock the moment the holder dies, and a
 * live holder keeps it even when paused (SIGSTOP) — so on one machine an old owner that
 * was paused past its lease TTL can never write concurrently with its successor: the
 * successor holds the lease but waits here until the old owner has noticed the loss and
 * let go. Bun has no flock binding; bun:ffi calls libc's.
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { log } from "../../log";

const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

type FlockFn = (fd: number, op: number) => number;
let flockFn: FlockFn | null | undefined;

async function flock(): Promise<FlockFn | null> {
  if (flockFn !== undefined) return flockFn;
  try {
    const { dlopen, FFIType } = await import("bun:ffi");
    const lib = process.platform === "darwin" ? "libSystem.B.dylib" : "libc.so.6";
    const { symbols } = dlopen(lib, { flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 } });
    flockFn = (fd, op) => symbols.flock(fd, op) as number;
  } catch (e) {
    log.warn("no flock(2) available: the local directory lock is skipped (the NATS lease still guards ownership)", { error: String(e) });
    flockFn = null;
  }
  return flockFn;
}

export interface DirLock {
  release(): void;
}

/**
 * Take the lock, waiting while another process holds it (logged once). Resolves null when
 * `signal` aborts first.
 */
export async function lockDurableDir(dataRoot: string, durable: string, owner: string, signal?: AbortSignal): Promise<DirLock | null> {
  const fl = await flock();
  const dir = join(dataRoot, "_ingest", durable);
  mkdirSync(dir, { recursive: true });
  const fd = openSync(join(dir, ".lock"), "a+");
  if (!fl) return { release: () => closeSync(fd) };
  let announced = false;
  while (fl(fd, LOCK_EX | LOCK_NB) !== 0) {
    if (signal?.aborted) {
      closeSync(fd);
      return null;
    }
    if (!announced) {
      announced = true;
      const holder = readFileSync(join(dir, ".lock"), "utf8").trim() || "unknown";
      log.warn("waiting for the local lock on the durable's directory: a previous owner on this machine is still alive (paused?) and has not yet noticed it lost the lease", { durable, holder, lock: join(dir, ".lock") });
    }
    await Bun.sleep(200);
  }
  if (announced) log.info("local lock acquired", { durable });
  try {
    ftruncateSync(fd, 0);
    writeSync(fd, `${owner}\n`);
  } catch {
    // diagnostics only
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      fl(fd, LOCK_UN);
      closeSync(fd);
    },
  };
}
