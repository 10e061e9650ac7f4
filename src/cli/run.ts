/**
 * The CLI edge: resolve the command, check flags, run it, and turn every failure into
 * one line on stderr plus an exit code (the CLI's error contract):
 *   0 ok · 1 runtime failure (LakeError, unexpected error) · 2 usage (unknown command or
 *   flag, missing/invalid argument — usage printed on stderr too).
 * Library code throws; only this file decides what the user sees.
 */
import { renderUsage, runCommand, type ArgsDef, type CommandDef } from "citty";
import { LakeError, UsageError, errorMessage } from "../errors";
import { LOG_FORMATS, LOG_LEVELS, setLogFormat, setLogLevel, setQuiet, type LogFormat } from "../log";
import { mainCommand } from "./index";

type Cmd = CommandDef<any>;
type ArgDef = { type?: string; alias?: string | string[] };


async function argsOf(cmd: Cmd): Promise<Record<string, ArgDef>> {
  const a = typeof cmd.args === "function" ? await (cmd.args as () => ArgsDef)() : await cmd.args;
  return (a ?? {}) as Record<string, ArgDef>;
}

async function subsOf(cmd: Cmd): Promise<Record<string, unknown> | undefined> {
  const s = typeof cmd.subCommands === "function" ? await (cmd.subCommands as () => unknown)() : await cmd.subCommands;
  return s as Record<string, unknown> | undefined;
}

/** Flag name → "boolean" | "string" for a command's declared flags (aliases included). */
async function flagTypes(cmd: Cmd): Promise<Map<string, "boolean" | "string">> {
  const types = new Map<string, "boolean" | "string">([
    ["help", "boolean"],
    ["h", "boolean"],
  ]);
  for (const [name, def] of Object.entries(await argsOf(cmd))) {
    if (def.type === "positional") continue;
    const t = def.type === "boolean" ? "boolean" : "string";
    for (const n of [name, ...[def.alias ?? []].flat()]) {
      types.set(n, t);
      if (t === "boolean") types.set(`no-${n}`, "boolean");
    }
  }
  return types;
}

/** The command whose usage a usage error should show (the deepest one reached so far). */
interface Where {
  cmd: Cmd;
  parent?: Cmd;
}

/**
 * Walk the command tree along `argv`. Flags may precede a subcommand name
 * (`lake --log-level debug config`): they are carried over to the command that runs.
 */
async function resolve(root: Cmd, argv: string[], where: Where): Promise<{ cmd: Cmd; parent?: Cmd; rest: string[] }> {
  let cmd: Cmd = root;
  let parent: Cmd | undefined;
  let rest = argv;
  const carried: string[] = [];
  // citty prints "<parent> <name>" in usage: give it the whole path ("lake silver list").
  const path = ["lake"];
  for (;;) {
    const subs = await subsOf(cmd);
    if (!subs) break;
    // Skip leading flags (and the value of a known string flag) to find the subcommand name.
    const types = await flagTypes(cmd);
    let i = 0;
    while (i < rest.length && rest[i]!.startsWith("-") && rest[i] !== "--") {
      const name = rest[i]!.replace(/^--?/, "").split("=")[0]!;
      const knownHere = types.get(name) ?? (cmd === root ? GLOBAL_FLAGS.get(name) : undefined);
      if (!knownHere) {
        // Without its type we cannot tell whether the next word is its value or a command.
        throw new UsageError(`unknown flag "${rest[i]!.split("=")[0]}"${suggest(name, [...types.keys()], "--")}`);
      }
      i += knownHere === "string" && !rest[i]!.includes("=") ? 2 : 1;
    }
    const name = rest[i];
    if (name === undefined || name === "--") break;
    const sub = subs[name];
    if (!sub) {
      // A command with both run() and subcommands may take this word as its positional.
      if (cmd.run && Object.values(await argsOf(cmd)).some((a) => a.type === "positional")) break;
      throw new UsageError(`unknown command "${name}"${suggest(name, Object.keys(subs))}`);
    }
    carried.push(...rest.slice(0, i));
    path.push(name);
    parent = { meta: { name: path.slice(0, -1).join(" "), version: (root.meta as { version?: string } | undefined)?.version } };
    cmd = await (typeof sub === "function" ? (sub as () => Promise<Cmd>)() : (sub as Cmd));
    rest = rest.slice(i + 1);
    where.cmd = cmd; // usage errors from here on show this command's usage
    where.parent = parent;
  }
  // Carried flags go first: after a "--" in rest they would turn into positionals.
  return { cmd, parent, rest: [...carried, ...rest] };
}

/** Flags accepted before any subcommand; every command that takes them declares them too. */
const GLOBAL_FLAGS = new Map<string, "boolean" | "string">([
  ["log-level", "string"],
  ["log-format", "string"],
  ["json", "boolean"],
  ["quiet", "boolean"],
]);

/** citty silently accepts undeclared flags and empty values; we refuse them (exit 2). */
async function checkFlags(cmd: Cmd, rest: string[]): Promise<void> {
  const types = await flagTypes(cmd);
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === "--") break;
    if (!a.startsWith("-") || a === "-" || /^-\d/.test(a)) continue;
    const [raw, inline] = splitOnce(a.replace(/^--?/, ""), "=");
    const t = types.get(raw);
    if (!t) throw new UsageError(`unknown flag "${a.split("=")[0]}"${suggest(raw, [...types.keys()], "--")}`);
    if (t === "string" && inline === undefined) {
      const next = rest[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) throw new UsageError(`flag --${raw} needs a value`);
      i++;
    }
    if (t === "string" && inline === "") throw new UsageError(`flag --${raw} needs a value`);
  }
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/** Apply --log-level before the command runs, so commands that never load Config honour it. */
function applyLogLevel(rest: string[]): void {
  let value: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === "--") break;
    if (a === "--log-level") value = rest[i + 1];
    else if (a.startsWith("--log-level=")) value = a.slice("--log-level=".length);
  }
  applyOutputFlags(rest);
  if (value === undefined) return;
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new UsageError(`--log-level is invalid: got ${JSON.stringify(value)}, expected ${LOG_LEVELS.join(", ")}`);
  }
  setLogLevel(value as (typeof LOG_LEVELS)[number]);
  process.env.LAKE_LOG_LEVEL = value; // worker threads spawned later inherit it
}

/** --log-format and --quiet, for this thread and (through the environment) the workers it starts. */
function applyOutputFlags(rest: string[]): void {
  const end = rest.indexOf("--");
  const flags = end < 0 ? rest : rest.slice(0, end);
  let fmt: string | undefined = process.env.LAKE_LOG_FORMAT || undefined;
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] === "--log-format") fmt = flags[i + 1];
    else if (flags[i]!.startsWith("--log-format=")) fmt = flags[i]!.slice("--log-format=".length);
  }
  if (fmt !== undefined) {
    if (!(LOG_FORMATS as readonly string[]).includes(fmt)) throw new UsageError(`--log-format must be ${LOG_FORMATS.join(" or ")}, got ${JSON.stringify(fmt)}`);
    setLogFormat(fmt as LogFormat);
    process.env.LAKE_LOG_FORMAT = fmt;
  }
  if (flags.includes("--quiet")) {
    setQuiet(true);
    process.env.LAKE_QUIET = "1";
  }
}

function suggest(name: string, candidates: string[], prefix = ""): string {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best ? ` (did you mean "${prefix}${best}"?)` : "";
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

/** citty's usage text without the trailing spaces its column padding leaves. */
async function usage(cmd: Cmd, parent?: Cmd): Promise<string> {
  return (await renderUsage(cmd, parent)).replace(/[ \t]+$/gm, "");
}

/** citty's own argument errors (missing positional, bad enum value) are usage errors. */
function isCittyUsageError(e: unknown): boolean {
  return e instanceof Error && e.name === "CLIError";
}

/** Run the CLI for `argv`; returns the exit code. `root` is replaceable for tests. */
export async function runCli(argv: string[], root: Cmd = mainCommand): Promise<number> {
  const versionFlags = new Set(["--version", "-v", "-V"]);
  if ((argv.length === 1 && versionFlags.has(argv[0]!)) || (argv.length === 2 && argv.includes("--json") && argv.some((a) => versionFlags.has(a)))) {
    const version = (root.meta as { version: string }).version;
    console.log(argv.includes("--json") ? JSON.stringify(versionInfo(version), null, 2) : version);
    return 0;
  }
  // `lake help [command…]` is `lake [command…] --help`.
  if (argv[0] === "help") argv = [...argv.slice(1), "--help"];
  const where: Where = { cmd: root };
  try {
    const { cmd, parent, rest } = await resolve(root, argv, where);
    const dashDash = rest.indexOf("--");
    const flags = dashDash < 0 ? rest : rest.slice(0, dashDash);
    if (argv.length === 0 || flags.includes("--help") || flags.includes("-h")) {
      console.log(await usage(cmd, parent));
      return 0;
    }
    if (!cmd.run) {
      // A command group (e.g. `lake gold`) given no subcommand.
      const subs = Object.keys((await subsOf(cmd)) ?? {});
      throw new UsageError(`missing command${subs.length ? ` (one of: ${subs.join(", ")})` : ""}`);
    }
    await checkFlags(cmd, rest);
    applyLogLevel(rest);
    await runCommand(cmd, { rawArgs: rest });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code === "EPIPE") return 0; // the reader closed the pipe (main.ts)
    const isUsage = e instanceof LakeError ? e.exitCode === 2 : isCittyUsageError(e);
    if (isUsage) {
      // one line and where to read more: the whole usage buries the message
      process.stderr.write(`lake: ${oneLine(errorMessage(e))}\nrun '${commandPath(where)} --help' for usage\n`);
      return 2;
    }
    process.stderr.write(`lake: ${oneLine(errorMessage(e))}\n`);
    if (process.env.LAKE_DEBUG || process.env.LAKE_LOG_LEVEL === "debug") console.error(e);
    return e instanceof LakeError ? e.exitCode : 1;
  }
}

/** "lake silver status": the words that reach the command a usage error is about. */
function commandPath(where: Where): string {
  const own = (where.cmd.meta as { name?: string } | undefined)?.name;
  const parent = (where.parent?.meta as { name?: string } | undefined)?.name;
  if (!parent) return "lake";
  return own ? `${parent} ${own}` : parent;
}

function versionInfo(version: string): Record<string, string> {
  return { version, bun_version: Bun.version, platform: process.platform, arch: process.arch };
}

/** One line on stderr: strip ANSI colours (citty adds them) and fold newlines. */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001B\[[0-9;]*m/g, "").replace(/\s*\n\s*/g, " ").trim();
}
