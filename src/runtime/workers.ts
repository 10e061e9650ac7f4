/**
 * Where the worker entry points are, in source runs and in the compiled binary.
 *
 * Trap: a worker URL relative to a file under src/ breaks once compiled, because the
 * bundle flattens src/ into one chunk per entrypoint. build.ts therefore lists every
 * workers/*.ts as an extra entrypoint with `root` = the project root, so inside the binary
 * each worker is the embedded module `/$bunfs/root/workers/<name>.js`. From source the
 * worker is the .ts file in <project>/workers/.
 */
export type WorkerEntry = "ingest" | "batch";

export function isCompiled(): boolean {
  return Bun.isStandaloneExecutable;
}

/** Directory holding the embedded modules of the running binary (`/$bunfs/root`). */
function bunfsRoot(): string {
  const m = /^(.*\$bunfs\/root)\//.exec(Bun.main) ?? /^(.*\$bunfs\/root)\//.exec(import.meta.path);
  return m ? m[1]! : "/$bunfs/root";
}

export function workerUrl(entry: WorkerEntry): string {
  if (isCompiled()) return `${bunfsRoot()}/workers/${entry}.js`;
  return new URL(`../../workers/${entry}.ts`, import.meta.url).href;
}

export function spawnWorker(entry: WorkerEntry, options?: WorkerOptions): Worker {
  return new Worker(workerUrl(entry), options);
}
