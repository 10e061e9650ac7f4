/**
 * How run.ts walks a command tree (groups, commands with both run() and subcommands,
 * positionals, flags before the command) and maps each failure to an exit code, on a
 * small synthetic tree so the test does not depend on other modules' commands.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { defineCommand } from "citty";
import { LakeError } from "../../src/errors";
import { setLogLevel } from "../../src/log";
import { runCli } from "../../src/cli/run";
import { globalArgs } from "../../src/cli/common";

const calls: { cmd: string; args: Record<string, unknown> }[] = [];
const record = (cmd: string) => ({ args }: { args: Record<string, unknown> }) => void calls.push({ cmd, args: { ...args } });

const list = defineCommand({ meta: { name: "list", description: "list things" }, args: { limit: { type: "string" }, ...globalArgs }, run: record("grp list") });
const show = defineCommand({
  meta: { name: "show", description: "show one" },
  args: { name: { type: "positional", required: true, description: "thing" }, ...globalArgs },
  run: record("grp show"),
});
const root = defineCommand({
  meta: { name: "lake", version: "9.9.9", description: "test tree" },
  subCommands: {
    grp: defineCommand({ meta: { name: "grp", description: "a group" }, subCommands: { list, show } }),
    both: defineCommand({
      meta: { name: "both", description: "runs, and has subcommands" },
      args: { force: { type: "boolean" }, ...globalArgs },
      subCommands: { list },
      run: record("both"),
    }),
    boom: defineCommand({ meta: { name: "boom" }, run: () => Promise.reject(new LakeError("bronze root /x is not readable")) }),
    oops: defineCommand({ meta: { name: "oops" }, run: () => (null as unknown as { x: number }).x }),
    partial: defineCommand({ meta: { name: "partial" }, run: () => void (process.exitCode = 3) }),
  },
});

async function cli(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const log = console.log;
  const write = process.stderr.write.bind(process.stderr);
  console.log = (...a: unknown[]) => void (stdout += a.join(" ") + "\n");
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
  try {
    const code = await runCli(argv, root);
    // citty colours its usage unless NO_COLOR was set when it loaded; compare plain text.
    const plain = (s: string) => s.replace(/\u001B\[[0-9;]*m/g, "");
    [stdout, stderr] = [plain(stdout), plain(stderr)];
    return { code, stdout, stderr, last: stderr.split("\n")[0] };
  } finally {
    console.log = log;
    process.stderr.write = write;
  }
}

afterEach(() => {
  calls.length = 0;
  process.exitCode = 0;
  // --log-level sets the process-wide level (and LAKE_LOG_LEVEL for workers): undo it, or
  // every later test file in this process — and the subprocesses it spawns — inherits it.
  delete process.env.LAKE_LOG_LEVEL;
  setLogLevel("info");
});

describe("command tree", () => {
  test("runs a nested command with its flags, also when flags precede the command", async () => {
    expect((await cli(["grp", "list", "--limit", "5"])).code).toBe(0);
    expect((await cli(["--log-level", "warn", "grp", "list", "--limit=7"])).code).toBe(0);
    expect(calls.map((c) => [c.cmd, c.args.limit, c.args["log-level"]])).toEqual([
      ["grp list", "5", undefined],
      ["grp list", "7", "warn"],
    ]);
  });

  test("help of a nested command shows its full path", async () => {
    const r = await cli(["grp", "list", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("USAGE lake grp list");
    expect(r.stdout).toContain("--limit");
  });

  test("an unknown subcommand is one line, a suggestion and where the help is (exit 2)", async () => {
    const r = await cli(["grp", "lsit"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`lake: unknown command "lsit" (did you mean "list"?)\nrun 'lake grp --help' for usage\n`);
    expect(r.last).toBe('lake: unknown command "lsit" (did you mean "list"?)');
  });

  test("a group given no subcommand lists the choices (exit 2)", async () => {
    const r = await cli(["grp"]);
    expect(r.code).toBe(2);
    expect(r.last).toBe("lake: missing command (one of: list, show)");
  });

  test("a missing required positional is a usage error (exit 2)", async () => {
    const r = await cli(["grp", "show"]);
    expect(r.code).toBe(2);
    expect(r.last).toBe("lake: Missing required positional argument: NAME");
    expect((await cli(["grp", "show", "abc"])).code).toBe(0);
    expect(calls.at(-1)).toMatchObject({ cmd: "grp show", args: { name: "abc" } });
  });

  test("a command with run() and subcommands runs itself, its subcommands, and refuses other words", async () => {
    expect((await cli(["both", "--force"])).code).toBe(0);
    expect((await cli(["both", "list"])).code).toBe(0);
    expect(calls.map((c) => [c.cmd, c.args.force ?? null])).toEqual([
      ["both", true],
      ["grp list", null],
    ]);
    const r = await cli(["both", "lst"]);
    expect(r.code).toBe(2);
    expect(r.last).toBe('lake: unknown command "lst" (did you mean "list"?)');
  });

  test("an unknown flag before a subcommand is refused, not mistaken for a value", async () => {
    const r = await cli(["both", "--forse", "list"]);
    expect(r.code).toBe(2);
    expect(r.last).toBe('lake: unknown flag "--forse" (did you mean "--force"?)');
    expect(calls).toEqual([]);
  });

  test("runtime failures: one line on stderr, exit 1, no usage", async () => {
    const lake = await cli(["boom"]);
    expect(lake).toMatchObject({ code: 1, stdout: "", stderr: "lake: bronze root /x is not readable\n" });
    const bug = await cli(["oops"]);
    expect(bug.code).toBe(1);
    expect(bug.stderr.split("\n")[0]).toStartWith("lake: ");
    expect(bug.stderr).not.toContain("USAGE");
  });

  test("an exit code set by the command is returned", async () => {
    expect((await cli(["partial"])).code).toBe(3);
  });

  test("--version prints the root's version", async () => {
    expect(await cli(["--version"])).toMatchObject({ code: 0, stdout: "9.9.9\n" });
  });
});
