/**
 * DuckDB as the lake's query engine: SQL in, columnar `Frame` out.
 *
 * One in-memory DuckDB instance per process (lazy), one connection per session, so
 * concurrent queries never share a connection. Every caller-supplied value is a bound
 * parameter (contracts §6.1.1(8), §9 R-3): `duckQuery(sql, params)` never splices
 * values into SQL text.
 */
import type { DuckDBConnection, DuckDBDataChunk, DuckDBInstance, DuckDBResult, DuckDBType, DuckDBValue } from "@duckdb/node-api";
import { readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isMainThread } from "node:worker_threads";
import { join } from "node:path";
import { LakeError, errorMessage } from "../errors";
import { Frame } from "../frame";
import { defaultDuckThreads, loadDuckDB } from "../runtime/duckdb-native";
import { ColumnSink, frameTypeFor, TypeId, type ColumnSpec } from "./duck-columns";
import { pidAlive } from "../core/pid";

export type SqlParam = string | number | bigint | boolean | null | readonly string[];
export type SqlParams = readonly SqlParam[] | Readonly<Record<string, SqlParam>>;

/** A DuckDB error surfaced with the statement it came from (never swallowed, §9 R-2). */
export class QueryError extends LakeError {
  constructor(message: string) {
    super(message, 1);
    this.name = "QueryError";
  }
}

let instance: Promise<DuckDBInstance> | null = null;

async function getInstance(): Promise<DuckDBInstance> {
  instance ??= (async () => {
    const duck = await loadDuckDB();
    // No network here: never try to download an extension mid-query.
    const threads = defaultDuckThreads();
    return duck.DuckDBInstance.create(":memory:", {
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
      ...(threads !== undefined ? { threads: String(threads) } : {}),
      ...duckMemoryConfig(),
    });
  })();
  return instance;
}

/**
 * A memory cap per DuckDB instance (one per process or batch worker), with spilling to a
 * private temp directory: a sort or join bigger than the cap (an ordered export of a heavy
 * day) goes to disk instead of growing the process. `LAKE_DUCKDB_MEMORY` overrides the
 * default 1GB (any DuckDB size, e.g. `2GB`).
 */
export function duckMemoryConfig(): Record<string, string> {
  const temp = join(tmpdir(), `lake-duckdb-${process.pid}`);
  // DuckDB leaves the directory behind: every lake run would add one to the temp dir. The
  // process's threads share it, so it goes when the process exits (the main thread's hook).
  // Those of processes that ended without the hook (killed, or DuckDB only in workers) are
  // swept the first time a thread opens DuckDB.
  if (!tempCleanupDone) {
    tempCleanupDone = true;
    if (isMainThread) process.on("exit", () => rmSync(temp, { recursive: true, force: true }));
    sweepDeadTempDirs();
  }
  return { memory_limit: process.env.LAKE_DUCKDB_MEMORY || "1GB", temp_directory: temp };
}

let tempCleanupDone = false;

function sweepDeadTempDirs(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^lake-duckdb-(\d+)$/.exec(name);
    if (!m || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}


/** A connection with Frame-returning helpers. Close it (or `await using`) when done. */
export class DuckSession {
  private constructor(
    readonly conn: DuckDBConnection,
    private readonly duck: Awaited<ReturnType<typeof loadDuckDB>>,
  ) {}

  static async open(): Promise<DuckSession> {
    const [inst, duck] = await Promise.all([getInstance(), loadDuckDB()]);
    return new DuckSession(await inst.connect(), duck);
  }

  /** Run a statement for its effect (DDL, SET, COPY). */
  async exec(sql: string, params?: SqlParams): Promise<void> {
    await this.wrap(sql, () => this.conn.run(sql, ...this.bind(params)));
  }

  /**
   * Run a query and return the whole result as one Frame. DuckDB streams its chunks
   * straight into our growing typed arrays: the result is never first materialised in
   * DuckDB (measured: a materialised result plus its per-chunk copy-out costs ~1.5× the
   * streaming path for 1M MBP-10 rows).
   */
  async query(sql: string, params?: SqlParams, opts: { capacityHint?: number } = {}): Promise<Frame> {
    const result = await this.wrap(sql, () => this.conn.stream(sql, ...this.bind(params)));
    // A row-count hint (e.g. the Parquet footers' total) sizes the arrays once instead of
    // doubling: fresh memory is paid for once, which is most of the conversion cost.
    const initial = Math.max(2048, Math.min(opts.capacityHint ?? 0, 1 << 27));
    const sinks = columnSpecs(result).map((s) => new ColumnSink(s, initial));
    let off = 0;
    for await (const chunk of this.chunks(sql, result)) {
      appendChunk(sinks, chunk, off, chunk.rowCount);
      off += chunk.rowCount;
    }
    return new Frame(sinks.map((s) => s.finish(off)), off);
  }

  /**
   * Run a query and yield its result in Frames of about `batchRows` rows, pulling chunks
   * from DuckDB as they are produced — memory stays bounded for any result size.
   */
  async *stream(sql: string, params?: SqlParams, batchRows = 65_536): AsyncGenerator<Frame> {
    const result = await this.wrap(sql, () => this.conn.stream(sql, ...this.bind(params)));
    const specs = columnSpecs(result);
    let sinks = specs.map((s) => new ColumnSink(s, 2048));
    let off = 0;
    let yielded = false;
    for await (const chunk of this.chunks(sql, result)) {
      const n = chunk.rowCount;
      if (off > 0 && off + n > batchRows) {
        yield new Frame(sinks.map((s) => s.finish(off)), off);
        yielded = true;
        sinks = specs.map((s) => new ColumnSink(s, Math.min(batchRows, 65_536) + 2048));
        off = 0;
      }
      appendChunk(sinks, chunk, off, n);
      off += n;
    }
    if (off > 0 || !yielded) yield new Frame(sinks.map((s) => s.finish(off)), off);
  }

  /**
   * The result's non-empty chunks. Chunk k+1 is requested before chunk k is handed out:
   * DuckDB produces on its own threads while this thread converts, instead of the two
   * taking turns.
   */
  private async *chunks(sql: string, result: DuckDBResult): AsyncGenerator<DuckDBDataChunk> {
    let pending = prefetch(result);
    try {
      for (;;) {
        const chunk = await this.wrap(sql, () => pending);
        if (!chunk || chunk.rowCount === 0) return;
        pending = prefetch(result);
        yield chunk;
      }
    } finally {
      // Never close the connection under an in-flight fetch (an error, or a consumer that stopped early).
      await pending.catch(() => null);
    }
  }

  /** Column names and DuckDB type names of a query, without running it to completion. */
  async describe(sql: string, params?: SqlParams): Promise<{ name: string; type: string }[]> {
    const f = await this.query(`DESCRIBE ${sql}`, params);
    const names = f.values<(string | null)[]>("column_name");
    const types = f.values<(string | null)[]>("column_type");
    return names.map((n, i) => ({ name: n!, type: types[i]! }));
  }

  close(): void {
    this.conn.closeSync();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private bind(params?: SqlParams): [DuckDBValue[] | Record<string, DuckDBValue> | undefined, DuckDBType[] | Record<string, DuckDBType> | undefined] {
    if (!params) return [undefined, undefined];
    if (Array.isArray(params)) {
      const pairs = (params as readonly SqlParam[]).map((p) => this.value(p));
      return [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
    }
    const values: Record<string, DuckDBValue> = {};
    const types: Record<string, DuckDBType> = {};
    for (const [k, p] of Object.entries(params as Record<string, SqlParam>)) [values[k], types[k]] = this.value(p);
    return [values, types];
  }

  private value(p: SqlParam): [DuckDBValue, DuckDBType] {
    const d = this.duck;
    if (p === null) return [null, d.SQLNULL];
    if (typeof p === "bigint") return [p, d.BIGINT];
    if (typeof p === "number") return Number.isSafeInteger(p) ? [BigInt(p), d.BIGINT] : [p, d.DOUBLE];
    if (typeof p === "boolean") return [p, d.BOOLEAN];
    if (typeof p === "string") return [p, d.VARCHAR];
    return [d.listValue([...p]), d.LIST(d.VARCHAR)];
  }

  private async wrap<T>(sql: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const first = sql.trim().split("\n")[0]!.slice(0, 120);
      throw new QueryError(`${errorMessage(e)}\n  in query: ${first}`);
    }
  }
}

type DataChunk = NonNullable<Awaited<ReturnType<DuckDBResult["fetchChunk"]>>>;

/** Append rows [off, off + n) of a DuckDB chunk to the column sinks. */
function appendChunk(sinks: readonly ColumnSink[], chunk: DataChunk, off: number, n: number): void {
  for (let j = 0; j < sinks.length; j++) {
    sinks[j]!.reserve(off + n);
    sinks[j]!.append(chunk.getColumnVector(j), off, n);
  }
}

/** Start fetching the next chunk; a failure surfaces where it is awaited, never as unhandled. */
function prefetch(result: DuckDBResult): ReturnType<DuckDBResult["fetchChunk"]> {
  const p = result.fetchChunk();
  p.catch(() => {});
  return p;
}

function columnSpecs(result: DuckDBResult): ColumnSpec[] {
  const names = result.deduplicatedColumnNames();
  return names.map((name, i) => {
    const typeId = result.columnTypeId(i) as number;
    let childTypeId: number | undefined;
    if (typeId === TypeId.LIST) {
      const t = result.columnType(i) as unknown as { valueType?: { typeId: number } };
      childTypeId = t.valueType?.typeId;
    }
    return { name, typeId, childTypeId, type: frameTypeFor(typeId, childTypeId) };
  });
}

/** Run one query on a fresh connection and return the whole result as a Frame. */
export async function duckQuery(sql: string, params?: SqlParams): Promise<Frame> {
  using s = await DuckSession.open();
  return await s.query(sql, params);
}

/** Streaming variant of duckQuery: Frames of about `batchRows` rows. */
export async function* duckStream(sql: string, params?: SqlParams, batchRows?: number): AsyncGenerator<Frame> {
  using s = await DuckSession.open();
  yield* s.stream(sql, params, batchRows);
}

/** A SQL string literal — only for values DuckDB cannot bind (e.g. CREATE VIEW bodies). */
export function sqlString(s: string): string {
  if (s.includes("\0")) throw new LakeError(`string contains NUL: ${JSON.stringify(s)}`);
  return `'${s.replaceAll("'", "''")}'`;
}

/** A double-quoted identifier, for names we validated or generated ourselves. */
export function sqlIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new LakeError(`invalid SQL identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}
