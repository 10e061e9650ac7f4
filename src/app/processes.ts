/**
 * Supervision of the child processes `lake demo` runs (nats-server, `lake serve`, the
 * simulator): each logs to its own file and is stopped SIGTERM-then-SIGKILL, last started
 * first stopped.
 */
import { existsSync, openSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { isCompiled } from "../runtime/workers";

/** How to run this same lake: the compiled binary itself, or `bun src/main.ts`. */
export function selfCommand(): string[] {
  return isCompiled() ? [process.execPath] : [process.execPath, Bun.main];
}

export function findNatsServer(): string | null {
  return Bun.which("nats-server") ?? ["/usr/sbin/nats-server", "/usr/local/bin/nats-server", "/usr/bin/nats-server"].find(existsSync) ?? null;
}

export class Processes {
  private readonly procs: { name: string; p: Subprocess }[] = [];
  /** `env`: added to this process's environment for the child. */
  spawn(name: string, cmd: string[], logDir: string, env?: Record<string, string>): Subprocess {
    const out = openSync(join(logDir, `${name}.log`), "a");
    const p = Bun.spawn(cmd, { stdout: out, stderr: out, stdin: "ignore", ...(env ? { env: { ...process.env, ...env } } : {}) });
    this.procs.push({ name, p });
    return p;
  }
  /** SIGTERM, then SIGKILL after `graceMs`; returns the exit code. */
  async stop(p: Subprocess, graceMs = 30_000): Promise<number | null> {
    if (p.exitCode !== null || p.signalCode !== null) return p.exitCode;
    p.kill("SIGTERM");
    const t = setTimeout(() => p.kill("SIGKILL"), graceMs);
    await p.exited;
    clearTimeout(t);
    return p.exitCode;
  }
  async stopAll(): Promise<void> {
    for (const { p } of [...this.procs].reverse()) await this.stop(p, 10_000);
  }
}
