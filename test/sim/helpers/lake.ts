/** Helpers for the simulator's end-to-end tests: run the real CLI, read whole Bronze tables back. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cellValue, concatFrames, Frame, sortFrame } from "../../../src/frame";
import { decodeParquet } from "../../../src/parquet";
import type { TableSchema } from "../../../src/schemas/types";

export const ROOT = resolve(import.meta.dir, "../../..");

export function tempDir(prefix: string): { path: string } & Disposable {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

/** Run `bun run src/main.ts …` to completion; throws with its stderr on a non-zero exit. */
export async function lake(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  const proc = Bun.spawn(["bun", "run", join(ROOT, "src/main.ts"), ...args], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, USE_S3: "false", ...env },
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`lake ${args.join(" ")} exited ${code}:\n${stderr}`);
  return { stdout, stderr };
}

export interface ServeProc extends AsyncDisposable {
  term(): Promise<number>;
  log(): string;
}

/** `lake serve` as a real subprocess with short flush intervals. */
export function startServe(natsUrl: string, dataRoot: string): ServeProc {
  const logFile = `${dataRoot}.serve.log`;
  const proc = Bun.spawn(
    ["bun", "run", join(ROOT, "src/main.ts"), "serve", "--nats-url", natsUrl, "--data-root", dataRoot, "--bronze-flush-interval", "0.5", "--gold-flush-interval", "0.5", "--no-compact"],
    { cwd: ROOT, stdout: "ignore", stderr: Bun.file(logFile), env: { ...process.env, USE_S3: "false" } },
  );
  const stop = async (sig: NodeJS.Signals) => {
    if (proc.exitCode === null && !proc.killed) proc.kill(sig);
    return await proc.exited;
  };
  return {
    term: () => stop("SIGTERM"),
    log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
    async [Symbol.asyncDispose]() {
      await stop("SIGKILL");
      rmSync(logFile, { force: true });
    },
  };
}

function parquetFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".parquet")) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Every row of one Bronze/Gold table under `root/prefix`, normalised to `schema`, sorted by `sortKey`. */
export async function readAll(root: string, prefix: string, schema: TableSchema, sortKey = ["ts_event_ns", "seq"]): Promise<Frame> {
  const frames: Frame[] = [];
  for (const f of parquetFiles(join(root, prefix))) frames.push(await decodeParquet(new Uint8Array(readFileSync(f)), { schema }));
  if (!frames.length) return Frame.empty(schema);
  return sortFrame(concatFrames(frames, schema.columns), sortKey);
}

export async function countRows(root: string, prefix: string, schema: TableSchema): Promise<number> {
  return (await readAll(root, prefix, schema)).numRows;
}

/** The first differing cell of two frames over `schema`'s columns, or null when equal row for row. */
export function firstDifference(a: Frame, b: Frame, schema: TableSchema): string | null {
  if (a.numRows !== b.numRows) return `row counts differ: ${a.numRows} vs ${b.numRows}`;
  for (const def of schema.columns) {
    const ca = a.column(def.name);
    const cb = b.column(def.name);
    for (let i = 0; i < a.numRows; i++) {
      const x = cellValue(ca, i);
      const y = cellValue(cb, i);
      const same = x instanceof Int16Array || y instanceof Int16Array ? String(x) === String(y) : x === y || (Number.isNaN(x) && Number.isNaN(y));
      if (!same) return `${def.name} row ${i}: ${String(x)} vs ${String(y)}`;
    }
  }
  return null;
}

export async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs: number, diag: () => string = () => ""): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${diag()}`);
    await Bun.sleep(250);
  }
}
