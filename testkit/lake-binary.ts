/**
 * The compiled `./lake` for CLI tests: reused when it is newer than every source file,
 * otherwise rebuilt (what `bun run build` does) into a temp file and renamed into place, so
 * test files building at the same time never see half a binary.
 */
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
export const LAKE_BIN = join(ROOT, "lake");

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

let ready: Promise<string> | null = null;

export function lakeBinary(): Promise<string> {
  ready ??= (async () => {
    const sources = Math.max(newestSource(join(ROOT, "src")), newestSource(join(ROOT, "workers")), statSync(join(ROOT, "build.ts")).mtimeMs);
    if (existsSync(LAKE_BIN) && statSync(LAKE_BIN).mtimeMs > sources) return LAKE_BIN;
    const { build } = await import("../build");
    const dir = mkdtempSync(join(tmpdir(), "lake-build-"));
    try {
      const { outfile } = await build({ outfile: join(dir, "lake"), quiet: true });
      renameSync(outfile, LAKE_BIN);
    } catch (e) {
      // rename across filesystems: copy instead
      if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
      const tmp = `${LAKE_BIN}.tmp-${process.pid}`;
      await Bun.write(tmp, Bun.file(join(dir, "lake")));
      (await import("node:fs")).chmodSync(tmp, 0o755);
      renameSync(tmp, LAKE_BIN);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return LAKE_BIN;
  })();
  return ready;
}

/** Environment without any lake settings from the developer's shell. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(DATA_ROOT|USE_S3|S3_|NATS_URL|LAKE_)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: "1", ...extra };
}

export interface LakeRun {
  code: number;
  out: string;
  err: string;
}

/** Run the compiled binary to completion. */
export async function runLake(args: string[], opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<LakeRun> {
  const bin = await lakeBinary();
  const p = Bun.spawn([bin, ...args], { cwd: opts.cwd, env: cleanEnv(opts.env), stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const timer = setTimeout(() => p.kill(9), opts.timeoutMs ?? 120_000);
  try {
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    return { code, out, err };
  } finally {
    clearTimeout(timer);
  }
}
