import { renderUsage, runCommand, type CommandDef } from "citty";
import { LakeError, UsageError, errorMessage } from "../errors";
import { mainCommand } from "./index";

/** Walk the command tree for `argv`, returning the deepest command and its parent chain. */
async function resolve(argv: string[]): Promise<{ cmd: CommandDef<any>; parent?: CommandDef<any>; rest: string[] }> {
  let cmd: CommandDef<any> = mainCommand;
  let parent: CommandDef<any> | undefined;
  let rest = argv;
  for (;;) {
    const subs = typeof cmd.subCommands === "function" ? await cmd.subCommands() : await cmd.subCommands;
    const name = rest.find((a) => !a.startsWith("-"));
    if (!subs || !name || rest[0] !== name) break;
    const sub = (subs as Record<string, unknown>)[name];
    if (!sub) throw new UsageError(`unknown command "${name}"`);
    parent = cmd;
    cmd = await (typeof sub === "function" ? (sub as () => Promise<CommandDef<any>>)() : (sub as CommandDef<any>));
    rest = rest.slice(1);
  }
  return { cmd, parent, rest };
}

/** Reject flags the command does not declare (citty would silently accept them). */
async function checkFlags(cmd: CommandDef<any>, rest: string[]): Promise<void> {
  const defs = (typeof cmd.args === "function" ? await cmd.args() : await cmd.args) ?? {};
  const known = new Set<string>(["help", "h"]);
  for (const [name, def] of Object.entries(defs as Record<string, { alias?: string | string[]; type?: string }>)) {
    known.add(name);
    for (const a of [def.alias ?? []].flat()) known.add(a);
    if (def.type === "boolean") known.add(`no-${name}`);
  }
  for (const a of rest) {
    if (a === "--") break;
    if (!a.startsWith("-") || /^-\d/.test(a)) continue;
    const name = a.replace(/^--?/, "").split("=")[0]!;
    if (!known.has(name)) throw new UsageError(`unknown flag "${a}"`);
  }
}

export async function runCli(argv: string[]): Promise<number> {
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
    console.log((mainCommand.meta as { version: string }).version);
    return 0;
  }
  let resolved: Awaited<ReturnType<typeof resolve>> | undefined;
  try {
    resolved = await resolve(argv);
    const { cmd, parent, rest } = resolved;
    if (rest.includes("--help") || rest.includes("-h") || (argv.length === 0)) {
      console.log(await renderUsage(cmd, parent));
      return 0;
    }
    const subs = typeof cmd.subCommands === "function" ? await cmd.subCommands() : await cmd.subCommands;
    if (subs && !cmd.run) {
      const first = rest.find((a) => !a.startsWith("-"));
      throw new UsageError(first ? `unknown command "${first}"` : "missing command");
    }
    await checkFlags(cmd, rest);
    await runCommand(cmd, { rawArgs: rest });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string })?.code?.startsWith?.("E_")) {
      const cmd = resolved?.cmd ?? mainCommand;
      process.stderr.write((await renderUsage(cmd, resolved?.parent)) + "\n\n");
      process.stderr.write(`lake: ${errorMessage(e)}\n`);
      return 2;
    }
    if (e instanceof LakeError) {
      process.stderr.write(`lake: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`lake: ${errorMessage(e)}\n`);
    if (process.env.LAKE_DEBUG) console.error(e);
    return 1;
  }
}
