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

/**
 * Start a worker thread on a worker entry point. Bun workers otherwise see the environment
 * as it was at process start, missing e.g. LAKE_LOG_LEVEL set from --log-level: pass the
 * current one unless the caller gives its own.
 */
export function spawnWorker(entry: WorkerEntry, options: WorkerOptions = {}): Worker {
  const env = (options as { env?: unknown }).env ?? { ...process.env };
  return new Worker(workerUrl(entry), { ...options, env } as WorkerOptions);
}
