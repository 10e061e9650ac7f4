/**
 * `-` as an input file: standard input, spooled to a file first. Exactly once needs the
 * content hash before anything is written (it names the intent, the staged files and the
 * commit record), and a pipe can be read only once; spooling keeps memory bounded whatever
 * the size and costs one sequential write of the (usually compressed) bytes.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Store } from "../storage/store";
import { IMPORT_PREFIX } from "./constants";

export const STDIN = "-";
/** What reports, commit records and errors call standard input. */
export const STDIN_NAME = "stdin";

/**
 * Copy `input` (default: this process's standard input) into a file. On a local lake the
 * spool lives under `_import/dbn/spool/` (same disk; one left by a killed import is removed by
 * the next, which holds the import lock, see `clearSpool`); elsewhere in a temporary directory.
 */
export async function spoolInput(store: Store, input: AsyncIterable<Uint8Array> = Bun.stdin.stream()): Promise<{ path: string; remove(): void }> {
  const local = store.kind === "file" && store.localRoot;
  const dir = local ? join(store.localRoot!, IMPORT_PREFIX, "spool") : mkdtempSync(join(tmpdir(), "lake-dbn-stdin-"));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `stdin-${process.pid}.dbn`);
  const remove = () => rmSync(local ? path : dir, { recursive: true, force: true });
  const fd = openSync(path, "w");
  try {
    for await (const chunk of input) {
      for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at);
    }
  } catch (e) {
    remove();
    throw e;
  } finally {
    closeSync(fd);
  }
  return { path, remove };
}

export function clearSpool(store: Store): void {
  if (store.kind === "file" && store.localRoot) rmSync(join(store.localRoot, IMPORT_PREFIX, "spool"), { recursive: true, force: true });
}
