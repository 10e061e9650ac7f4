/**
 * The bytes of a DBN file or stream, decompressed when it is zstd (detected by the frame
 * magic, not the file name), as an async sequence of chunks. Streams through node:zlib's
 * zstd decompressor so memory stays bounded whatever the file size.
 */
import { createReadStream, openSync, readSync, closeSync, statSync } from "node:fs";
import * as zlib from "node:zlib";
import { DbnFormatError, ZSTD_MAGIC } from "./constants";

export interface ByteSource {
  compressed: boolean;
  /** Size of the file on disk. */
  fileBytes: number;
  chunks: AsyncIterable<Uint8Array>;
}

const CHUNK = 1 << 20;

export function isZstd(head: Uint8Array): boolean {
  return head.length >= 4 && ZSTD_MAGIC.every((b, i) => head[i] === b);
}

export function openDbnBytes(path: string, name = path): ByteSource {
  let fileBytes: number;
  const head = new Uint8Array(4);
  try {
    fileBytes = statSync(path).size;
    const fd = openSync(path, "r");
    try {
      readSync(fd, head, 0, 4, 0);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw new DbnFormatError(name, 0, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const compressed = isZstd(head);
  const raw = createReadStream(path, { highWaterMark: CHUNK });
  if (!compressed) return { compressed, fileBytes, chunks: raw as AsyncIterable<Uint8Array> };
  return { compressed, fileBytes, chunks: zstdChunks(name, raw, fileBytes) };
}

async function* zstdChunks(name: string, raw: NodeJS.ReadableStream, fileBytes: number): AsyncIterable<Uint8Array> {
  const z = zlib.createZstdDecompress({ chunkSize: CHUNK });
  raw.on("error", (e) => z.destroy(e));
  raw.pipe(z);
  let out = 0;
  try {
    for await (const c of z as AsyncIterable<Uint8Array>) {
      out += c.length;
      yield c;
    }
  } catch (e) {
    const msg = (e as Error).message;
    throw new DbnFormatError(name, fileBytes, `zstd stream is corrupt or cut short (${msg}; ${out} bytes decompressed)`);
  }
}
