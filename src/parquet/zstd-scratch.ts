/**
 * ZSTD page decompression into one reused buffer, for readers that decode a page and drop
 * it at once (ts offsets, row gathering). `Bun.zstdDecompressSync` allocates a fresh buffer
 * per page: over a heavy day's 1.5 GB of depth pages that is ~40 % of the decompression CPU
 * (page faults of new memory; measured 120 → 71 ms per hour file of MBP-10 depth).
 *
 * Uses the system's libzstd (the reference implementation, `libzstd.so.1`, present wherever
 * apt/dpkg is) through bun:ffi when it loads; otherwise — or on any error result — the page
 * goes through `Bun.zstdDecompressSync` as before. The returned bytes are valid until the
 * next call: copy what must outlive the page (dictionaries do, so they never come here).
 */
import { dlopen, FFIType, ptr } from "bun:ffi";

type Zstd = { decompress(dst: Uint8Array, src: Uint8Array): number };

let lib: Zstd | null | undefined;

function load(): Zstd | null {
  if (lib !== undefined) return lib;
  try {
    const h = dlopen("libzstd.so.1", {
      ZSTD_createDCtx: { args: [], returns: FFIType.ptr },
      ZSTD_decompressDCtx: { args: [FFIType.ptr, FFIType.ptr, FFIType.u64, FFIType.ptr, FFIType.u64], returns: FFIType.u64 },
    });
    // One context for the thread's life: ZSTD_decompress makes and frees one per call, which
    // costs more than the page itself when pages hold a few rows (flush files).
    const ctx = h.symbols.ZSTD_createDCtx();
    if (!ctx) throw new Error("ZSTD_createDCtx failed");
    lib = { decompress: (dst, src) => Number(h.symbols.ZSTD_decompressDCtx(ctx, ptr(dst), dst.length, ptr(src), src.length)) };
  } catch {
    lib = null;
  }
  return lib;
}

let scratch = new Uint8Array(1 << 20);

/** `input` decompressed to exactly `outputLength` bytes, in a buffer reused by the next call. */
export function zstdScratch(input: Uint8Array, outputLength: number): Uint8Array {
  const z = outputLength > 0 && input.length > 0 ? load() : null;
  if (z) {
    if (scratch.length < outputLength) scratch = new Uint8Array(Math.max(outputLength, scratch.length * 2));
    const out = scratch.subarray(0, outputLength);
    if (z.decompress(out, input) === outputLength) return out;
  }
  const out = Bun.zstdDecompressSync(input);
  if (out.length !== outputLength) throw new Error(`ZSTD page decompressed to ${out.length} bytes, header says ${outputLength}`);
  return out;
}
