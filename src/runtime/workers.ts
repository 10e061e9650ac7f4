/**
 * Where the worker entry points are, in source runs and in the compiled binary.
 * Trap (DEVELOPERS.md): a worker URL relative to a file under src/ breaks once
 * compiled, because the bundle flattens src/. build.ts lists workers/*.ts as extra
 * entrypoints; inside the binary they are addressed by their path from the project root.
 */
export type WorkerEntry = "ingest" | "batch";

export function isCompiled(): boolean {
  return import.meta.url.includes("$bunfs") || Bun.main.includes("$bunfs");
}

export function workerUrl(entry: WorkerEntry): string | URL {
  if (isCompiled()) return `./workers/${entry}.ts`;
  return new URL(`../../workers/${entry}.ts`, import.meta.url);
}

export function spawnWorker(entry: WorkerEntry, options?: WorkerOptions): Worker {
  return new Worker(workerUrl(entry), options);
}
