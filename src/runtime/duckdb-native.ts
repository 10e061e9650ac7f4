/**
 * The ONE way to load DuckDB in lake: `const duck = await loadDuckDB()`.
 * Never `import "@duckdb/node-api"` directly — inside the compiled binary that import
 * only works after this module has prepared the native library.
 *
 * Why: `@duckdb/node-bindings-linux-x64/duckdb.node` links against `libduckdb.so`
 * (DT_NEEDED, found via RUNPATH=$ORIGIN). `bun build --compile` embeds the .node addon and
 * extracts it to a temp file at load time, where $ORIGIN has no libduckdb.so. So inside the
 * binary we extract the embedded libduckdb.so to a content-addressed cache dir once, and
 * dlopen it (RTLD_NOW | RTLD_GLOBAL) before the addon loads: the dynamic linker then
 * satisfies the addon's DT_NEEDED "libduckdb.so" by SONAME with the already-loaded copy.
 * From source nothing is needed: the addon finds libduckdb.so next to itself.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { LakeError, errorMessage } from "../errors";
import { isCompiled } from "./workers";

type DuckModule = typeof import("@duckdb/node-api");
export type DuckConnection = import("@duckdb/node-api").DuckDBConnection;

let loading: Promise<DuckModule> | null = null;
let libraryPath: string | null = null;

/** Where the loaded libduckdb.so lives (the extracted copy inside the binary); null before loading. */
export function duckdbLibraryPath(): string | null {
  return libraryPath;
}

export function loadDuckDB(): Promise<DuckModule> {
  loading ??= load().catch((e) => {
    loading = null;
    throw e;
  });
  return loading;
}

/**
 * Thread budget for DuckDB databases this process opens when the caller does not say.
 * A WorkerPool of N batch workers sets it to ⌊cores / N⌋ in each worker: DuckDB alone
 * otherwise takes every core per database, and two workers then fight over two cores
 * (measured: `lake silver --workers 2` was slower than 1 worker before this cap).
 */
let defaultThreads: number | undefined;

export function setDefaultDuckThreads(n: number | undefined): void {
  defaultThreads = n === undefined ? undefined : Math.max(1, Math.floor(n));
}

export function defaultDuckThreads(): number | undefined {
  return defaultThreads;
}

export interface DuckConnectOptions {
  /** Database file; default an in-memory database private to this connection. */
  path?: string;
  /** DuckDB worker threads for this database (`SET threads`); default DuckDB's (all cores). */
  threads?: number;
  /** Extra DuckDB config options, e.g. `{ memory_limit: "2GB" }`. */
  config?: Record<string, string>;
}

/**
 * A connection to a fresh DuckDB database (in-memory unless `path`). Disposable:
 * `using conn = await duckConnect()` closes the connection and its database.
 */
export async function duckConnect(opts: DuckConnectOptions = {}): Promise<DuckConnection & Disposable> {
  const duck = await loadDuckDB();
  const config: Record<string, string> = { ...opts.config };
  if (opts.threads === undefined && defaultThreads !== undefined) config.threads ??= String(defaultThreads);
  if (opts.threads !== undefined) {
    if (!Number.isInteger(opts.threads) || opts.threads < 1) throw new LakeError(`duckConnect: threads must be a positive integer, got ${opts.threads}`);
    config.threads = String(opts.threads);
  }
  const instance = await duck.DuckDBInstance.create(opts.path ?? ":memory:", config);
  const conn = await instance.connect();
  return Object.assign(conn, {
    // Keeps the instance reachable for as long as the connection is (and closes it with it).
    [Symbol.dispose]() {
      conn.closeSync();
      instance.closeSync();
    },
  });
}

async function load(): Promise<DuckModule> {
  if (isCompiled()) {
    const { EMBEDDED_LIBDUCKDB } = await import("./duckdb-embed");
    // dlopen inside the loop: a cache on a noexec mount extracts fine but cannot be mapped.
    libraryPath = extractToCache(EMBEDDED_LIBDUCKDB, cacheRoots(), dlopenGlobal);
  } else {
    libraryPath = require.resolve("@duckdb/node-bindings-linux-x64/libduckdb.so");
  }
  return await import("@duckdb/node-api");
}

/** Candidate cache roots, most preferred first; the first writable one wins. */
export function cacheRoots(): string[] {
  const env = process.env;
  const roots: string[] = [];
  if (env.LAKE_CACHE_DIR) roots.push(env.LAKE_CACHE_DIR);
  if (env.XDG_CACHE_HOME) roots.push(join(env.XDG_CACHE_HOME, "lake"));
  try {
    roots.push(join(homedir(), ".cache", "lake"));
  } catch {
    /* no home directory: fall through to tmp */
  }
  roots.push(join(tmpdir(), `lake-cache-${process.getuid?.() ?? "u"}`));
  return roots;
}

/**
 * Copy an embedded file to `<cache>/<name-with-content-hash>` unless it is already there,
 * and hand it to `use` (which may throw to move on to the next root).
 * Bun names embedded files `<stem>-<hash>.<ext>`, so the name identifies the content and a
 * new binary never reuses a stale library. Concurrent processes each write a private temp
 * file and rename it into place (atomic), so a reader never sees a half-written library.
 */
export function extractToCache(embeddedPath: string, roots: string[] = cacheRoots(), use: (path: string) => void = () => {}): string {
  const name = basename(embeddedPath);
  const size = Bun.file(embeddedPath).size;
  const failures: string[] = [];
  for (const root of roots) {
    const target = join(root, name);
    try {
      if (existsSync(target) && statSync(target).size === size) {
        use(target);
        return target;
      }
      mkdirSync(root, { recursive: true });
      removeStaleTemps(root);
      const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      try {
        writeAll(tmp, embeddedPath);
        renameSync(tmp, target);
      } finally {
        if (existsSync(tmp)) unlinkSync(tmp);
      }
      use(target);
      return target;
    } catch (e) {
      failures.push(`${root}: ${errorMessage(e)}`);
    }
  }
  throw new LakeError(
    `cannot extract and load the embedded DuckDB library (set LAKE_CACHE_DIR to a writable directory on a filesystem that allows executables): ${failures.join("; ")}`,
  );
}

function writeAll(dest: string, embeddedPath: string): void {
  const bytes = readFileSync(embeddedPath);
  const fd = openSync(dest, "wx", 0o755);
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd); // durable before the rename publishes it
  } finally {
    closeSync(fd);
  }
}

/** Temp files of processes killed mid-extraction (70 MB each) would otherwise pile up. */
function removeStaleTemps(root: string): void {
  const cutoff = Date.now() - 10 * 60_000;
  for (const n of readdirSync(root)) {
    if (!n.endsWith(".tmp")) continue;
    try {
      if (statSync(join(root, n)).mtimeMs < cutoff) unlinkSync(join(root, n));
    } catch {
      /* raced with another process: fine */
    }
  }
}

const RTLD_NOW = 0x2;
const RTLD_GLOBAL = 0x100;

/** dlopen through libc so we choose the flags (bun:ffi's own dlopen wants a symbol table). */
function dlopenGlobal(path: string): void {
  const { dlopen, FFIType, CString } = require("bun:ffi") as typeof import("bun:ffi");
  const libc = dlopen("libc.so.6", {
    dlopen: { args: [FFIType.cstring, FFIType.i32], returns: FFIType.ptr },
    dlerror: { args: [], returns: FFIType.ptr },
  });
  const handle = libc.symbols.dlopen(Buffer.from(path + "\0"), RTLD_NOW | RTLD_GLOBAL);
  if (!handle) {
    const err = libc.symbols.dlerror();
    throw new LakeError(`cannot load DuckDB library ${path}: ${err ? new CString(err) : "unknown dlopen error"}`);
  }
  // The handle is deliberately never closed: DuckDB stays loaded for the process lifetime.
}
