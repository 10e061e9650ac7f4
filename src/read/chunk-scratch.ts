/**
 * Column chunks of local Parquet files read into one buffer per thread, reused by the next
 * read. A Silver build walks a heavy day's timestamps and depth chunk by chunk and drops
 * each at once; a fresh buffer per chunk costs more in page faults of new memory than the
 * read itself (faults are system time, and on a virtual machine an expensive kind).
 *
 * The bytes are valid until the next call on the same thread: decode them synchronously,
 * with no `await` in between (so no other reader on the thread can take the buffer).
 */
import { closeSync, openSync, readSync } from "node:fs";

let scratch = new Uint8Array(1 << 20);

export interface OpenFile extends Disposable {
  readonly fd: number;
  readonly path: string;
}

/** A file open for reading until the end of the `using` scope. */
export function openFile(path: string): OpenFile {
  const fd = openSync(path, "r");
  return { fd, path, [Symbol.dispose]: () => closeSync(fd) };
}

/** Bytes [start, end) of the file at a path, or of one already open. */
export function readChunkScratch(file: string | OpenFile, start: number, end: number): Uint8Array {
  const length = end - start;
  if (scratch.length < length) scratch = new Uint8Array(Math.max(length, scratch.length * 2));
  using opened = typeof file === "string" ? openFile(file) : null;
  const f = opened ?? (file as OpenFile);
  let got = 0;
  while (got < length) {
    const n = readSync(f.fd, scratch, got, length - got, start + got);
    if (n === 0) throw new Error(`${f.path}: file ends at byte ${start + got}, a column chunk runs to ${end}`);
    got += n;
  }
  return scratch.subarray(0, length);
}
