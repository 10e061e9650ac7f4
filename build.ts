/**
 * `bun run build` → one self-contained executable `./lake` (bun-linux-x64).
 *
 * Embedded: src/main.ts, every workers/*.ts entry point (Worker threads must be separate
 * entrypoints of the same build, see src/runtime/workers.ts), and DuckDB's native pair —
 * `duckdb.node` through the bundler's .node support and `libduckdb.so` through the
 * `with { type: "file" }` import in src/runtime/duckdb-embed.ts.
 * The other platforms' `@duckdb/node-bindings-*` packages are not installed here, so their
 * `require()`s in @duckdb/node-bindings must stay external (unresolved) or the build fails.
 *
 *   bun run build [--outfile PATH] [--quiet]
 */
import { readdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";

const ROOT = import.meta.dir;
const TARGET = "bun-linux-x64";

const OTHER_PLATFORM_BINDINGS = [
  "darwin-arm64",
  "darwin-x64",
  "linux-arm64",
  "linux-arm64-musl",
  "linux-x64-musl",
  "win32-x64",
  "win32-arm64",
].map((p) => `@duckdb/node-bindings-${p}`);

export function workerEntrypoints(root = ROOT): string[] {
  const dir = join(root, "workers");
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith(".ts") && !n.endsWith(".test.ts") && !n.endsWith(".d.ts"))
    .sort()
    .map((n) => join(dir, n));
}

export async function build(opts: { outfile?: string; quiet?: boolean } = {}): Promise<{ outfile: string; bytes: number; ms: number }> {
  const outfile = resolve(ROOT, opts.outfile ?? "lake");
  const entrypoints = [join(ROOT, "src/main.ts"), ...workerEntrypoints()];
  const t0 = performance.now();
  let result: Bun.BuildOutput;
  try {
    result = await Bun.build({
      entrypoints,
      // Worker entry points keep their path from the project root inside the binary
      // (/$bunfs/root/workers/<name>.js): src/runtime/workers.ts relies on it.
      root: ROOT,
      compile: { target: TARGET, outfile, autoloadBunfig: false, autoloadDotenv: false },
      external: OTHER_PLATFORM_BINDINGS,
      minify: { syntax: true, whitespace: true, identifiers: false },
      // Embedded in the binary (zstd-compressed) so stack traces point at src/.
      sourcemap: "inline",
      // Precompiled bytecode: the binary starts without parsing its bundle (`lake --version`
      // 0.12 → 0.02 s; every worker thread's start gains the same). ESM bytecode needs compile.
      bytecode: true,
      format: "esm",
    });
  } catch (e) {
    // Bun.build throws an AggregateError whose entries carry file:line positions.
    for (const m of (e as AggregateError).errors ?? [e]) console.error(Bun.inspect(m));
    throw new Error("lake build failed (see the errors above)");
  }
  if (!result.success) {
    for (const m of result.logs) console.error(m);
    throw new Error("lake build failed");
  }
  // The source map is embedded in the binary (zstd) — that is what stack traces use — but
  // Bun also writes copies next to the outfile; drop them so builds don't litter the tree.
  const outdir = dirname(outfile);
  for (const name of [basename(outfile), ...entrypoints.slice(1).map((e) => basename(e).replace(/\.ts$/, ".js"))]) {
    rmSync(join(outdir, `${name}.map`), { force: true });
  }
  const ms = performance.now() - t0;
  const bytes = statSync(outfile).size;
  if (!opts.quiet) {
    const rel = relative(process.cwd(), outfile) || outfile;
    console.log(
      `built ${rel.startsWith(".") || rel.startsWith("/") ? rel : "./" + rel} (${TARGET}, ${(bytes / 2 ** 20).toFixed(1)} MiB) in ${(ms / 1000).toFixed(1)} s` +
        ` from ${entrypoints.map((e) => relative(ROOT, e)).join(", ")}`,
    );
  }
  return { outfile, bytes, ms };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { outfile: { type: "string" }, quiet: { type: "boolean" } } });
  try {
    await build({ outfile: values.outfile, quiet: values.quiet });
  } catch (e) {
    console.error(`build: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
