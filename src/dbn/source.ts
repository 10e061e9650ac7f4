/**
 * The bytes of a DBN file, decompressed when it is zstd (detected by the frame magic, not
 * the file name), read into a buffer the caller owns: `read(into, at, max)` fills
 * `into[at…]` and returns how many bytes it wrote (0 at the end). Memory stays bounded
 * whatever the file size, and the decoder reuses one buffer for the whole file.
 *
 * Why not a stream of chunks: node:zlib's stream hands out every output chunk in a freshly
 * allocated buffer, and the fresh pages of 899 MB of decompressed MBP-10 (a heavy day) cost
 * ~200 000 page faults — more CPU than the decompression itself. The zstd decoder here is
 * node:zlib's own, driven synchronously through its native handle (the same calls
 * `zlib.zstdDecompressSync` makes) with our buffer as its output; where that handle is not
 * available the stream is used, copied into the caller's buffer.
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from "node:fs";
import * as zlib from "node:zlib";
import { DbnFormatError, ZSTD_MAGIC } from "./constants";

export interface ByteSource {
  compressed: boolean;
  /** Size of the file on disk. */
  fileBytes: number;
  /** Fill `into[at, at + max)` with the next bytes; 0 = the input has ended. */
  read(into: Uint8Array, at: number, max: number): number | Promise<number>;
  close(): void;
}

/** Compressed bytes read per system call. */
const INPUT_CHUNK = 1 << 20;

export function isZstd(head: Uint8Array): boolean {
  return head.length >= 4 && ZSTD_MAGIC.every((b, i) => head[i] === b);
}

/** `viaStream`: decompress through node:zlib's stream even where the native handle is there (tests both paths). */
export function openDbnBytes(path: string, name = path, opts: { viaStream?: boolean } = {}): ByteSource {
  let fileBytes: number;
  let fd: number;
  const head = new Uint8Array(4);
  try {
    fileBytes = statSync(path).size;
    fd = openSync(path, "r");
    readSync(fd, head, 0, 4, 0);
  } catch (e) {
    throw new DbnFormatError(name, 0, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!isZstd(head)) return plainSource(fd, fileBytes);
  return (opts.viaStream ? null : zstdHandleSource(fd, name, fileBytes)) ?? zstdStreamSource(fd, path, name, fileBytes);
}

function plainSource(fd: number, fileBytes: number): ByteSource {
  let pos = 0;
  return {
    compressed: false,
    fileBytes,
    read(into, at, max) {
      const n = readSync(fd, into, at, max, pos);
      pos += n;
      return n;
    },
    close: () => closeSync(fd),
  };
}

function corrupt(name: string, fileBytes: number, why: string, out: number): DbnFormatError {
  return new DbnFormatError(name, fileBytes, `zstd stream is corrupt or cut short (${why}; ${out} bytes decompressed)`);
}

/** node:zlib's native zstd handle, as its own sync path uses it: writeSync(flush, in, inOff, inLen, out, outOff, outLen). */
interface ZstdHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  onerror: (message: string, errno: number) => void;
}

function zstdHandleSource(fd: number, name: string, fileBytes: number): ByteSource | null {
  const z = zlib.createZstdDecompress() as unknown as { _handle?: ZstdHandle; _writeState?: Uint32Array; close(): void };
  const handle = z._handle;
  // [output bytes left, input bytes left] after each writeSync
  const state = z._writeState;
  if (!handle || typeof handle.writeSync !== "function" || !(state instanceof Uint32Array)) {
    z.close();
    return null;
  }
  const CONTINUE = zlib.constants.ZSTD_e_continue, END = zlib.constants.ZSTD_e_end;
  let error: string | null = null;
  handle.onerror = (message) => { error = message; };
  const input = new Uint8Array(INPUT_CHUNK);
  let inOff = 0, inLen = 0, pos = 0, eof = false, out = 0;
  return {
    compressed: true,
    fileBytes,
    read(into, at, max) {
      for (;;) {
        if (inLen === 0 && !eof) {
          inLen = readSync(fd, input, 0, input.length, pos);
          pos += inLen;
          inOff = 0;
          eof = inLen === 0;
        }
        handle.writeSync(eof ? END : CONTINUE, input, inOff, inLen, into, at, max);
        if (error !== null) throw corrupt(name, fileBytes, error, out);
        const produced = max - state[0]!, consumed = inLen - state[1]!;
        inOff += consumed;
        inLen -= consumed;
        out += produced;
        if (produced > 0) return produced;
        if (eof) return 0;
        if (consumed === 0 && inLen > 0) throw corrupt(name, fileBytes, "the decoder made no progress", out);
      }
    },
    close() {
      z.close();
      closeSync(fd);
    },
  };
}

/** Fallback: node:zlib's zstd stream, each chunk copied into the caller's buffer. */
function zstdStreamSource(fd: number, path: string, name: string, fileBytes: number): ByteSource {
  closeSync(fd);
  const raw = createReadStream(path, { highWaterMark: INPUT_CHUNK });
  const z = zlib.createZstdDecompress({ chunkSize: INPUT_CHUNK });
  raw.on("error", (e) => z.destroy(e));
  raw.pipe(z);
  const chunks = (z as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  let cur: Uint8Array | null = null, curOff = 0, out = 0;
  return {
    compressed: true,
    fileBytes,
    async read(into, at, max) {
      while (!cur || curOff === cur.length) {
        let r: IteratorResult<Uint8Array>;
        try {
          r = await chunks.next();
        } catch (e) {
          throw corrupt(name, fileBytes, (e as Error).message, out);
        }
        if (r.done) return 0;
        cur = r.value;
        curOff = 0;
      }
      const n = Math.min(max, cur.length - curOff);
      into.set(cur.subarray(curOff, curOff + n), at);
      curOff += n;
      out += n;
      return n;
    },
    close() {
      raw.destroy();
      z.destroy();
    },
  };
}
