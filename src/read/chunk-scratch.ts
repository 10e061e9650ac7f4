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

/** Bytes [start, end) of the file at `path`. */
export function readChunkScratch(path: string, start: number, end: number): Uint8Array {
  const length = end - start;
  if (scratch.length < length) scratch = new Uint8Array(Math.max(length, scratch.length * 2));
  const fd = openSync(path, "r");
  try {
    let got = 0;
    while (got < length) {
      const n = readSync(fd, scratch, got, length - got, start + got);
      if (n === 0) throw new Error(`${path}: file ends at byte ${start + got}, a column chunk runs to ${end}`);
      got += n;
    }
  } finally {
    closeSync(fd);
  }
  return scratch.subarray(0, length);
}
