/**
 * The single binary: `bun run build` output copied alone into an empty directory (no
 * node_modules, no sources) must run — config, DuckDB (embedded libduckdb extracted to a
 * cache), worker threads with DuckDB inside them, and the CLI exit codes.
 * Builds a fresh binary into a temp dir (about a second) so it never tests a stale ./lake.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json";
import { build, workerEntrypoints } from "../../build";

const work = mkdtempSync(join(tmpdir(), "lake-binary-"));
const buildDir = join(work, "build");
const runDir = join(work, "empty"); // cwd of every run: nothing but the binary
const cacheDir = join(work, "cache");
const bin = join(runDir, "lake");

beforeAll(async () => {
  mkdirSync(runDir);
  const { outfile } = await build({ outfile: join(buildDir, "lake"), quiet: true });
  await Bun.write(bin, Bun.file(outfile));
  (await import("node:fs")).chmodSync(bin, 0o755);
  rmSync(buildDir, { recursive: true, force: true });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function env(extra: Record<string, string> = {}): Record<string, string> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(DATA_ROOT|USE_S3|S3_|NATS_URL|LAKE_|NODE_PATH|BUN_)/.test(k)) continue;
    e[k] = v;
  }
  return { ...e, NO_COLOR: "1", LAKE_CACHE_DIR: cacheDir, ...extra };
}

async function lake(args: string[], extra: Record<string, string> = {}) {
  const proc = Bun.spawn([bin, ...args], { cwd: runDir, env: env(extra), stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

describe("./lake, alone in an empty directory", () => {
  test("build.ts embeds every workers/*.ts entry point", () => {
    const names = workerEntrypoints().map((p) => p.split("/").pop());
    expect(names).toContain("batch.ts");
    expect(names).toEqual(readdirSync(join(import.meta.dir, "../../workers")).filter((n) => n.endsWith(".ts")).sort());
  });

  test("is one executable file and the directory holds nothing else", () => {
    expect(readdirSync(runDir)).toEqual(["lake"]);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
  });

  test("--version and --help", async () => {
    expect(await lake(["--version"])).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
    const help = await lake(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("USAGE lake");
    expect(help.stdout).toContain("config");
  });

  test("`lake config` and `lake config --json` show values, sources and redacted secrets", async () => {
    const secrets = { S3_ACCESS_KEY: "AKIA-BINARY", S3_SECRET_KEY: "binary-secret-value" };
    const table = await lake(["config"], { NATS_URL: "nats://127.0.0.1:4555", ...secrets });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^DATA_ROOT\\s+${join(runDir, "data/lake")}\\s+default$`, "m"));
    expect(table.stdout).toMatch(/^NATS_URL\s+nats:\/\/127\.0\.0\.1:4555\s+env$/m);
    expect(table.stdout).toMatch(/^S3_SECRET_KEY\s+<redacted>\s+env$/m);

    const json = await lake(["config", "--json", "--data-root", "s3://lake-bucket/prod"], secrets);
    expect(json.code).toBe(0);
    const cfg = JSON.parse(json.stdout);
    expect(cfg.DATA_ROOT).toEqual({ value: "s3://lake-bucket/prod", source: "flag", flag: "--data-root" });
    expect(cfg.USE_S3.value).toBe(true);
    expect(cfg.S3_BUCKET.value).toBe("lake-bucket");
    expect(cfg.S3_ACCESS_KEY).toEqual({ value: "<redacted>", source: "env", flag: "--s3-access-key" });
    for (const out of [table.stdout, json.stdout]) {
      expect(out).not.toContain("binary-secret-value");
      expect(out).not.toContain("AKIA-BINARY");
    }
  });

  test("runs DuckDB SQL with the embedded library, extracted once to the cache dir", async () => {
    const r = await lake(["duckdb", "select 40 + 2 as answer, 'ES' || 'H6' as contract, version() as v"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [row] = JSON.parse(r.stdout);
    expect(row.answer).toBe(42);
    expect(row.contract).toBe("ESH6");
    expect(row.v).toMatch(/^v1\.\d+\.\d+/);
    const libs = readdirSync(cacheDir).filter((n) => /^libduckdb-.*\.so$/.test(n));
    expect(libs).toHaveLength(1);
    expect(statSync(join(cacheDir, libs[0]!)).size).toBeGreaterThan(10_000_000);
  });

  test("concurrent first runs share a fresh cache safely", async () => {
    const fresh = join(work, "cache-concurrent");
    const runs = await Promise.all([1, 2, 3].map((i) => lake(["duckdb", `select ${i} as i`], { LAKE_CACHE_DIR: fresh })));
    expect(runs.map((r) => [r.code, r.stdout.trim()])).toEqual([
      [0, '[{"i":1}]'],
      [0, '[{"i":2}]'],
      [0, '[{"i":3}]'],
    ]);
    expect(readdirSync(fresh).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  test("a bad SQL statement is a runtime failure: exit 1, one line", async () => {
    const r = await lake(["duckdb", "select * from no_such_table"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toStartWith("lake: ");
    expect(r.stderr).toContain("no_such_table");
  });

  test("`lake doctor` runs a worker-pool round trip (typed-array transfer, DuckDB inside a worker)", async () => {
    const r = await lake(["doctor", "--json"]);
    const report = JSON.parse(r.stdout);
    const byName = Object.fromEntries(report.checks.map((c: { check: string }) => [c.check, c]));
    expect(byName["worker pool"]).toMatchObject({ ok: true });
    expect(byName["worker pool"].detail).toMatch(/DuckDB v1\.\d+\.\d+ in worker/);
    expect(byName.duckdb.detail).toContain(cacheDir);
    expect(byName.lake.detail).toContain(`binary ${bin}`);
    // nats-server may legitimately be absent on a dev box; everything else must pass.
    expect(report.checks.filter((c: { ok: boolean; check: string }) => !c.ok && c.check !== "nats-server")).toEqual([]);
  });

  test("unknown command and unknown flag exit 2 with one line and a pointer to --help", async () => {
    const cmd = await lake(["no-such-command"]);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain("run 'lake --help' for usage");
    expect(cmd.stderr).toContain('lake: unknown command "no-such-command"');
    const flag = await lake(["config", "--no-such-flag"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("run 'lake config --help' for usage");
    expect(flag.stderr.split("\n")).toHaveLength(3);
    expect(flag.stderr).toContain('lake: unknown flag "--no-such-flag"');
  });

  test("an invalid NATS_URL is a runtime failure: exit 1, one line naming the variable", async () => {
    const r = await lake(["config"], { NATS_URL: "http://wrong-scheme:4222" });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe('lake: NATS_URL is invalid: got "http://wrong-scheme:4222", expected a URL such as nats://127.0.0.1:4222, or several separated by commas (a cluster)\n');
  });

  test("wrote nothing into the working directory", () => {
    expect(readdirSync(runDir)).toEqual(["lake"]);
    expect(existsSync(join(runDir, "data"))).toBe(false);
  });
});
