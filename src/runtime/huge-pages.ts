/**
 * Transparent huge pages for a large buffer that is filled once and reused (the simulator's
 * hour of MBP-10 columns, a DBN import's batch columns, Silver's winner columns): one fault
 * and one 2 MiB zeroing per huge page instead of 512 faults of 4 KiB — on a VM a fault costs
 * several µs. Linux only, and only where THP is enabled for madvised memory (the usual
 * default); anywhere else, or on any failure, the buffer is simply left as it is.
 */
import { dlopen, FFIType, ptr } from "bun:ffi";

const MADV_HUGEPAGE = 14;
/** Below this the kernel could not place a single huge page inside the buffer anyway. */
const MIN_BYTES = 4 << 20;

let madvise: ((addr: number, len: number, advice: number) => number) | null | undefined;

function load(): typeof madvise {
  if (madvise !== undefined) return madvise;
  madvise = null;
  if (process.platform !== "linux") return madvise;
  try {
    const libc = dlopen("libc.so.6", { madvise: { args: [FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i32 } });
    madvise = (addr, len, advice) => libc.symbols.madvise(addr, len, advice);
  } catch {
    madvise = null;
  }
  return madvise;
}

/**
 * Ask for huge pages on `buf` (before its pages are touched): madvise takes the page-aligned
 * span, and the kernel backs the 2 MiB-aligned parts inside it with huge pages.
 */
export function adviseHugePages(buf: ArrayBuffer | SharedArrayBuffer): void {
  if (buf.byteLength < MIN_BYTES) return;
  const m = load();
  if (!m) return;
  const start = ptr(buf as ArrayBuffer);
  const page = 4096;
  const from = Math.ceil(start / page) * page;
  const to = Math.floor((start + buf.byteLength) / page) * page;
  if (to > from) m(from, to - from, MADV_HUGEPAGE);
}

/** A new zero-filled buffer of `bytes`, on huge pages where that applies. */
export function hugePageBuffer(bytes: number): ArrayBuffer {
  const buf = new ArrayBuffer(bytes);
  adviseHugePages(buf);
  return buf;
}
