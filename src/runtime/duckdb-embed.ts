/**
 * Compiled-binary only: the DuckDB native files embedded into `./lake`.
 * Imported lazily by duckdb-native.ts when running inside the binary, so source runs
 * (and other platforms) never need these paths to exist.
 * Inside the binary each import is a `/$bunfs/root/<name>-<contenthash>.<ext>` path.
 */
import libduckdb from "../../node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so" with { type: "file" };

export const EMBEDDED_LIBDUCKDB: string = libduckdb;
