/**
 * One CLI grammar, on the compiled ./lake: one-line usage errors, snake_case --json across
 * commands, progress on stderr (silenced by --quiet), JSON log lines, --ts, --version --json,
 * shell completion — and the daily workflow: a new Bronze date is picked up by `lake silver`
 * and appended by `lake gold promote`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNats, type NatsServer } from "../../testkit/nats";
import { cleanEnv, lakeBinary, runLake } from "../../testkit/lake-binary";
import { FIXTURE_DAY_A } from "../../testkit/fixtures";

const work = mkdtempSync(join(tmpdir(), "lake-grammar-"));
const root = join(work, "lake");
const lake = (args: string[], env: Record<string, string> = {}) => runLake(args, { cwd: work, env: { DATA_ROOT: root, ...env }, timeoutMs: 300_000 });

beforeAll(async () => {
  await lakeBinary();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every key of a JSON value, at any depth. */
function keys(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => keys(x, out));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) (out.push(k), keys(x, out));
  return out;
}
const camel = (v: unknown) => keys(v).filter((k) => /[a-z][A-Z]/.test(k));

describe("usage errors and version", () => {
  test("a usage error is one line plus where the help is", async () => {
    const r = await lake(["silver", "status", "--forse"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`lake: unknown flag "--forse"\nrun 'lake silver status --help' for usage\n`);
    const bad = await lake(["replay", "--date", "2026-01-14", "--from", "09:30"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toStartWith('lake: unknown flag "--from"');
  });

  test("lake --version --json", async () => {
    const r = await lake(["--version", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), bun_version: Bun.version, platform: process.platform });
  });

  test("bash completion completes commands, subcommands and flags", async () => {
    const r = await lake(["completion", "bash"]);
    expect(r.code).toBe(0);
    const script = join(work, "lake.bash");
    writeFileSync(script, r.out);
    const complete = (words: string[]) => {
      const cmd = `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _lake; echo "\${COMPREPLY[@]}"`;
      return Bun.spawnSync(["bash", "-c", cmd]).stdout.toString().trim().split(/\s+/);
    };
    expect(complete(["lake", "sil"])).toEqual(["silver"]);
    expect(complete(["lake", "silver", "st"])).toEqual(["status"]);
    expect(complete(["lake", "gold", "promote", "--for"])).toEqual(["--force"]);
    for (const shell of ["zsh", "fish"]) expect((await lake(["completion", shell])).out).toContain("lake");
    expect((await lake(["completion", "tcsh"])).code).toBe(2);
  });

  test("output piped into a reader that stops early (| head) ends quietly", async () => {
    for (const args of [
      ["completion", "fish"],
      ["bronze", "read", "futures-trades", "--date", "2026-01-14", "--format", "csv", "--data-root", FIXTURE_DAY_A],
    ]) {
      const bin = await lakeBinary();
      const r = Bun.spawnSync(["bash", "-c", `'${bin}' ${args.map((a) => `'${a}'`).join(" ")} | head -c 20 >/dev/null; echo "\${PIPESTATUS[0]}"`], { cwd: work, env: cleanEnv() });
      expect({ args, stderr: r.stderr.toString(), code: r.stdout.toString().trim() }).toEqual({ args, stderr: "", code: "0" });
    }
  });
});

describe("the daily workflow on a simulated lake", () => {
  test("silver picks up a new date, gold appends it; --json snake_case, --quiet, --log-format json", async () => {
    expect((await lake(["simulate", "--from", "2026-03-02", "--days", "2", "--scale", "light", "--quiet"])).code).toBe(0);
    // --json: the result on stdout, progress still on stderr
    const first = await lake(["silver", "--json", "--workers", "1"]);
    expect(first.code).toBe(0);
    expect(first.err).toContain("silver es_pipeline: 2/2 dates");
    const built = JSON.parse(first.out);
    expect(built).toMatchObject({ status: "success", dates_built: ["2026-03-02", "2026-03-03"], dates_reused: [] });
    expect(camel(built)).toEqual([]);
    expect((await lake(["gold", "promote", "es_pipeline"])).code).toBe(0);

    // a new day lands in Bronze
    expect((await lake(["simulate", "--date", "2026-03-04", "--scale", "light", "--quiet"])).code).toBe(0);
    const status = await lake(["silver", "status", "--json"]);
    expect(status.code).toBe(1);
    const st = JSON.parse(status.out);
    expect(st[0]).toMatchObject({ version: "es_pipeline", state: "incomplete", missing_dates: ["2026-03-04"], changed_dates: [] });
    expect(camel(st)).toEqual([]);

    const next = await lake(["silver", "--quiet", "--workers", "1"]);
    expect(next.code).toBe(0);
    expect(next.err).toBe("");
    expect(next.out).toContain("built 1 date(s) (2026-03-04), kept 2 already built");
    expect((await lake(["silver", "status"])).code).toBe(0);
    const again = await lake(["silver"]);
    expect(again.out).toContain("is up to date");
    expect(again.out).not.toContain("force=True");

    const promote = await lake(["gold", "promote", "es_pipeline", "--json"]);
    expect(promote.code).toBe(0);
    const p = JSON.parse(promote.out);
    expect(p).toMatchObject({ status: "success", appended_dates: ["2026-03-04"], replaced: "signals_production@1" });
    const validate = await lake(["gold", "validate", "--json"]);
    expect(camel(JSON.parse(validate.out))).toEqual([]);
    const nope = await lake(["gold", "promote", "v9_nope"]);
    expect(nope.code).toBe(1);
    expect(nope.err).toContain("Silver version v9_nope does not exist");

    // JSON log lines: every stderr line is one JSON object
    const logged = await lake(["silver", "--force", "--workers", "1", "--log-format", "json", "--log-level", "debug"]);
    expect(logged.code).toBe(0);
    const lines = logged.err.trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(JSON.parse(l)).toMatchObject({ ts: expect.any(String), level: expect.any(String), msg: expect.any(String) });
  }, 600_000);

  test("contracts and status --json are snake_case; --ts picks ISO or ns", async () => {
    const c = await lake(["contracts", "--date", "2026-01-14", "--json"], { DATA_ROOT: FIXTURE_DAY_A });
    expect(c.code).toBe(0);
    const sel = JSON.parse(c.out);
    expect(sel.front_month_symbol).toBe("ESH6");
    expect(camel(sel)).toEqual([]);

    await using nats: NatsServer = await startNats();
    const s = await lake(["status", "--json", "--nats-url", nats.url]);
    expect(s.code).toBe(0);
    expect(camel(JSON.parse(s.out))).toEqual([]);

    const iso = await lake(["bronze", "read", "futures-trades", "--date", "2026-01-14", "--limit", "1"], { DATA_ROOT: FIXTURE_DAY_A });
    expect(iso.out).toMatch(/^2026-01-14T\d{2}:\d{2}:\d{2}\.\d{9}Z/m);
    const ns = await lake(["bronze", "read", "futures-trades", "--date", "2026-01-14", "--limit", "1", "--format", "csv"], { DATA_ROOT: FIXTURE_DAY_A });
    expect(ns.out.split("\n")[1]).toMatch(/^\d{19},\d{19},/);
    const csvIso = await lake(["bronze", "read", "futures-trades", "--date", "2026-01-14", "--limit", "1", "--format", "csv", "--ts", "iso"], { DATA_ROOT: FIXTURE_DAY_A });
    expect(csvIso.out.split("\n")[1]).toMatch(/^2026-01-14T[\d:.]+Z,2026-01-14T/);
    expect((await lake(["bronze", "read", "futures-trades", "--date", "2026-01-14", "--ts", "utc"], { DATA_ROOT: FIXTURE_DAY_A })).code).toBe(2);
  });
});
