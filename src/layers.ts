/**
 * The layers of lake, bottom first — declared once, here. A file may import files of its own
 * module and of any module on a LOWER layer; modules that share a layer never import each
 * other, and nothing imports upwards. test/architecture/import-direction.test.ts checks every
 * import in src/ and workers/ against this table; docs/architecture.md draws it.
 *
 * Paths are relative to the repository root; a path ending in "/" is a folder.
 */
export interface Layer {
  readonly name: string;
  /** What the layer is for, in one line (docs/architecture.md repeats these). */
  readonly role: string;
  /** Module name → the files and folders that make it up. */
  readonly modules: Readonly<Record<string, readonly string[]>>;
}

export const LAYERS: readonly Layer[] = [
  {
    name: "core",
    role: "what everything shares: errors, logging, time and the ES calendar, validators, atomic files, Black-76, Python formatting",
    modules: { core: ["src/core/", "src/errors.ts", "src/log.ts", "src/version.ts", "src/layers.ts", "package.json"] },
  },
  {
    name: "model",
    role: "table schemas and the validated configuration",
    modules: { schemas: ["src/schemas/"], config: ["src/config.ts"] },
  },
  {
    name: "frame",
    role: "the columnar currency: typed arrays, gathering, the one sort order",
    modules: { frame: ["src/frame.ts", "src/frame-gather.ts", "src/frame-sort.ts"] },
  },
  {
    name: "io",
    role: "object stores, the Parquet codec, worker threads and embedded DuckDB",
    modules: { storage: ["src/storage/"], parquet: ["src/parquet/"], runtime: ["src/runtime/"] },
  },
  {
    name: "access",
    role: "reading the lake (DuckDB, readers, views) and writing it from NATS (ingest) and from vendor files (DBN import)",
    modules: { read: ["src/read/"], ingest: ["src/ingest/"], dbn: ["src/dbn/"] },
  },
  {
    name: "domain",
    role: "the market simulator, the Silver feature builder with the ES pipeline, Bronze compaction",
    modules: { sim: ["src/sim/"], silver: ["src/silver/"], compact: ["src/compact/"] },
  },
  {
    name: "curation",
    role: "Gold training sets: curation, catalog, validation",
    modules: { gold: ["src/gold/"] },
  },
  {
    name: "app",
    role: "orchestration across libraries: the task registry, builds on the worker pool, child processes",
    modules: { app: ["src/app/"] },
  },
  {
    name: "cli",
    role: "one file per command",
    modules: { cli: ["src/cli/"] },
  },
  {
    name: "entry",
    role: "the process and worker-thread entry points",
    modules: { main: ["src/main.ts"], workers: ["workers/"] },
  },
];

/** The layer index and module of a repository path, or null when no layer claims it. */
export function placeOf(path: string): { layer: number; module: string } | null {
  let best: { layer: number; module: string; len: number } | null = null;
  LAYERS.forEach((layer, i) => {
    for (const [module, paths] of Object.entries(layer.modules)) {
      for (const p of paths) {
        const hit = p.endsWith("/") ? path.startsWith(p) : path === p;
        if (hit && (!best || p.length > best.len)) best = { layer: i, module, len: p.length };
      }
    }
  });
  const b = best as { layer: number; module: string; len: number } | null;
  return b ? { layer: b.layer, module: b.module } : null;
}
