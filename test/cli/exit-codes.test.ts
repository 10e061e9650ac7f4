/**
 * The CLI contract from source (`bun src/main.ts …`): help and version, usage errors exit 2
 * with one line and a pointer to --help on stderr, runtime failures exit 1 with one line on stderr, --log-level and
 * --json anywhere a command takes them. The compiled binary repeats the key cases in
 * test/build/binary.test.ts.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json";

const MAIN = join(import.meta.dir, "../../src/main.ts");
const cwd = mkdtempSync(join(tmpdir(), "lake-cli-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/** Env without any lake variables from the developer's shell. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(DATA_ROOT|USE_S3|S3_|NATS_URL|LAKE_)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: "1", ...extra };
}

async function lake(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn([process.execPath, MAIN, ...args], { cwd, env: cleanEnv(env), stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

describe("lake CLI (from source)", () => {
  test("--version prints the package version", async () => {
    const r = await lake(["--version"]);
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  test("--help, `help` and no arguments list the commands on stdout", async () => {
    for (const args of [["--help"], ["help"], []]) {
      const r = await lake(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("USAGE lake");
      expect(r.stdout).toContain("config");
      expect(r.stdout).toContain("doctor");
      expect(r.stdout).not.toContain("\u001b["); // no colour codes in a pipe
    }
  });

  test("`lake help config` and `lake config --help` show the command's flags", async () => {
    for (const args of [["help", "config"], ["config", "--help"]]) {
      const r = await lake(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("USAGE lake config");
      expect(r.stdout).toContain("--data-root");
      expect(r.stdout).toContain("--nats-url");
    }
  });

  test("an unknown command exits 2 with one line, a suggestion and where the help is", async () => {
    const r = await lake(["confgi"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`lake: unknown command "confgi" (did you mean "config"?)\nrun 'lake --help' for usage\n`);
  });

  test("an unknown flag exits 2 with one line naming the command's help", async () => {
    const r = await lake(["config", "--data-rot", "/x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`lake: unknown flag "--data-rot" (did you mean "--data-root"?)\nrun 'lake config --help' for usage\n`);
  });

  test("a flag that needs a value exits 2 when it has none", async () => {
    for (const args of [["config", "--data-root"], ["config", "--data-root="], ["config", "--nats-url", "--json"]]) {
      const r = await lake(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^lake: flag --(data-root|nats-url) needs a value\nrun 'lake config --help' for usage\n$/);
    }
  });

  test("an invalid flag value is a usage error (exit 2) naming the flag", async () => {
    const r = await lake(["config", "--nats-url", "localhost"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(
      'lake: --nats-url is invalid: got "localhost", expected a URL such as nats://127.0.0.1:4222, or several separated by commas (a cluster)',
    );
  });

  test("an invalid environment value is a runtime failure: exit 1, one line naming the variable", async () => {
    const r = await lake(["config"], { NATS_URL: "127.0.0.1:4222" });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe('lake: NATS_URL is invalid: got "127.0.0.1:4222", expected a URL such as nats://127.0.0.1:4222, or several separated by commas (a cluster)\n');
  });

  test("a data root that is a file is a runtime failure (exit 1) naming it, before anything is written", async () => {
    const file = join(cwd, "not-a-dir");
    await Bun.write(file, "x");
    for (const args of [["simulate", "--to", "bronze", "--from", "2026-03-02", "--days", "1"], ["compact"], ["query", "select 1"]]) {
      const r = await lake(args, { DATA_ROOT: file });
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 1, stderr: `lake: data root ${file} is a file, not a directory: set DATA_ROOT (or --data-root) to a directory\n` });
    }
  });

  test("S3 without credentials is a runtime failure (exit 1)", async () => {
    const r = await lake(["config"], { DATA_ROOT: "s3://lake-bucket/prefix" });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("lake: S3 is on but S3_ACCESS_KEY (or AWS_ACCESS_KEY_ID) and S3_SECRET_KEY (or AWS_SECRET_ACCESS_KEY) are not set (there are no default credentials)\n");
  });

  test("--log-level is validated and may precede the command", async () => {
    const bad = await lake(["--log-level", "loud", "config"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split("\n")[0]).toBe('lake: --log-level is invalid: got "loud", expected debug, info, warn, error');
    const good = await lake(["--log-level", "debug", "config", "--json"]);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout).LAKE_LOG_LEVEL).toEqual({ value: "debug", source: "flag", flag: "--log-level" });
  });

  test("`lake config` prints every variable with its value and source, secrets redacted", async () => {
    const env = { NATS_URL: "nats://127.0.0.1:4999", S3_ACCESS_KEY: "AKIA-CLI-TEST", S3_SECRET_KEY: "very-secret-cli" };
    const r = await lake(["config", "--data-root", join(cwd, "lake")], env);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^VARIABLE\s+VALUE\s+SOURCE$/);
    const row = (v: string) => lines.find((l) => l.startsWith(v + " "))!.split(/\s{2,}/);
    expect(row("DATA_ROOT")).toEqual(["DATA_ROOT", join(cwd, "lake"), "flag"]);
    expect(row("NATS_URL")).toEqual(["NATS_URL", "nats://127.0.0.1:4999", "env"]);
    expect(row("S3_SECRET_KEY")).toEqual(["S3_SECRET_KEY", "<redacted>", "env"]);
    expect(row("S3_BUCKET")).toEqual(["S3_BUCKET", "(unset)", "unset"]);
    expect(r.stdout).not.toContain("very-secret-cli");
    expect(r.stdout).not.toContain("AKIA-CLI-TEST");
  });
});
