/**
 * DuckDB's spill directory (`lake-duckdb-<pid>` in the temp dir) does not outlive the lake
 * process that made it, and one left by a process that died is swept by the next.
 */
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const MAIN = join(import.meta.dir, "../../src/main.ts");

test("a lake run leaves no DuckDB temp directory behind, and sweeps a dead process's", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "lake-duck-temp-"));
  try {
    mkdirSync(join(tmp, "lake-duckdb-2147483646")); // no such process
    const p = Bun.spawn([process.execPath, MAIN, "query", "select 42 as x", "--format", "csv", "--data-root", join(tmp, "lake")], {
      env: { ...process.env, TMPDIR: tmp, LAKE_CACHE_DIR: join(tmp, "cache") },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    expect({ code, out: out.trim(), err }).toEqual({ code: 0, out: "x\n42", err: "" });
    expect(readdirSync(tmp).filter((n) => n.startsWith("lake-duckdb-"))).toEqual([]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
