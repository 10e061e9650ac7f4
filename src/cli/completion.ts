/**
 * `lake completion bash|zsh|fish`: shell completion generated from the command tree itself,
 * so a new command or flag completes without anyone editing a script.
 *
 *   source <(lake completion bash)        # ~/.bashrc
 *   source <(lake completion zsh)         # ~/.zshrc (through bashcompinit)
 *   lake completion fish > ~/.config/fish/completions/lake.fish
 */
import { defineCommand, type ArgsDef, type CommandDef } from "citty";
import { UsageError } from "../errors";

interface Node {
  path: string[];
  subs: string[];
  flags: { name: string; description: string }[];
  description: string;
}

async function resolveValue<T>(v: T | (() => T | Promise<T>) | Promise<T> | undefined): Promise<T | undefined> {
  return typeof v === "function" ? await (v as () => T | Promise<T>)() : await v;
}

/** Every command of the tree, depth first, with its subcommand names and flags. */
export async function commandTree(root: CommandDef<any>): Promise<Node[]> {
  const out: Node[] = [];
  const walk = async (cmd: CommandDef<any>, path: string[]) => {
    const args = ((await resolveValue(cmd.args as ArgsDef)) ?? {}) as Record<string, { type?: string; description?: string }>;
    const subs = ((await resolveValue(cmd.subCommands as Record<string, unknown>)) ?? {}) as Record<string, unknown>;
    const meta = ((await resolveValue(cmd.meta as object)) ?? {}) as { description?: string };
    const flags = Object.entries(args)
      .filter(([, a]) => a.type !== "positional")
      .map(([name, a]) => ({ name, description: a.description ?? "" }));
    out.push({ path, subs: Object.keys(subs), flags: [...flags, { name: "help", description: "show help" }], description: meta.description ?? "" });
    for (const [name, sub] of Object.entries(subs)) {
      const def = (typeof sub === "function" ? await (sub as () => Promise<CommandDef<any>>)() : sub) as CommandDef<any>;
      await walk(def, [...path, name]);
    }
  };
  await walk(root, []);
  return out;
}

const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

export function bashScript(nodes: Node[]): string {
  const lines = [
    "# lake shell completion (bash; zsh loads it through bashcompinit)",
    "declare -gA _lake_subs _lake_words",
    // keyed by the typed command path, "lake" for the root (bash refuses an empty key)
    ...nodes.map((n) => `_lake_subs[${q(["lake", ...n.path].join(" "))}]=${q(n.subs.join(" "))}`),
    ...nodes.map((n) => `_lake_words[${q(["lake", ...n.path].join(" "))}]=${q([...n.subs, ...n.flags.map((f) => `--${f.name}`)].join(" "))}`),
    "_lake() {",
    '  local cur="${COMP_WORDS[COMP_CWORD]}" path=lake w i',
    "  for ((i = 1; i < COMP_CWORD; i++)); do",
    '    w="${COMP_WORDS[i]}"',
    '    [[ $w == -* ]] && continue',
    '    case " ${_lake_subs[$path]} " in *" $w "*) path="$path $w" ;; esac',
    "  done",
    '  COMPREPLY=($(compgen -W "${_lake_words[$path]}" -- "$cur"))',
    "}",
    "complete -o default -F _lake lake",
  ];
  return lines.join("\n") + "\n";
}

export function zshScript(nodes: Node[]): string {
  return ["#compdef lake", "autoload -U +X bashcompinit && bashcompinit", bashScript(nodes)].join("\n");
}

export function fishScript(nodes: Node[]): string {
  const esc = (s: string) => s.replaceAll("\\", "\\\\").replaceAll("'", "\\'");
  const lines = ["# lake shell completion (fish)", "complete -c lake -f"];
  for (const n of nodes) {
    // the condition: exactly this path of subcommands has been typed
    const cond = n.path.length === 0 ? "__fish_use_subcommand" : `__fish_seen_subcommand_from ${n.path[n.path.length - 1]}`;
    for (const s of n.subs) {
      const child = nodes.find((m) => m.path.join(" ") === [...n.path, s].join(" "));
      lines.push(`complete -c lake -n '${cond}' -a ${s} -d '${esc((child?.description ?? "").slice(0, 80))}'`);
    }
    if (n.path.length) for (const f of n.flags) lines.push(`complete -c lake -n '${cond}' -l ${f.name} -d '${esc(f.description.slice(0, 80))}'`);
  }
  return lines.join("\n") + "\n";
}

export default defineCommand({
  meta: { name: "completion", description: "Print a shell completion script: bash | zsh | fish" },
  args: { shell: { type: "positional", required: true, description: "bash | zsh | fish" } },
  async run({ args }) {
    const { mainCommand } = await import("./index");
    const nodes = await commandTree(mainCommand);
    const gen = { bash: bashScript, zsh: zshScript, fish: fishScript }[String(args.shell)];
    if (!gen) throw new UsageError(`unknown shell ${JSON.stringify(args.shell)}: expected bash, zsh or fish`);
    process.stdout.write(gen(nodes));
  },
});
