/**
 * Process hygiene for tests and benchmarks: every helper process (nats-server, s3rver,
 * `lake serve` under test) is started here so that it can never outlive the test run.
 *
 * - On Linux the child is started through `setpriv --pdeathsig KILL` (util-linux), so the
 *   kernel kills it when the test process dies, even by SIGKILL or a crash.
 * - Children still running at a normal exit (a test forgot `await using`) are SIGKILLed
 *   from an exit hook.
 * - `waitForListening` fails fast, and kills the child, when it exits before listening or
 *   does not listen in time — no half-started server is left behind.
 *
 *   const proc = spawnService(["nats-server", "-p", String(port)]);
 *   await waitForListening(proc, port, 10_000, "nats-server");
 */
import type { BunFile, Subprocess } from "bun";
import { readdirSync, readFileSync } from "node:fs";

const live = new Set<Subprocess>();
let hooked = false;

const SETPRIV = process.platform === "linux" ? Bun.which("setpriv") : null;

function killAllNow(): void {
  for (const p of live) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  live.clear();
}

export interface ServiceOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  stdout?: "ignore" | "pipe" | "inherit" | BunFile;
  stderr?: "ignore" | "pipe" | "inherit" | BunFile;
}

/** Bun.spawn for a long-running helper process, tied to this process's lifetime. */
export function spawnService(cmd: string[], opts: ServiceOptions = {}): Subprocess {
  if (!hooked) {
    hooked = true;
    process.on("exit", killAllNow);
  }
  const argv = SETPRIV ? [SETPRIV, "--pdeathsig", "KILL", "--", ...cmd] : cmd;
  const proc = Bun.spawn(argv, {
    cwd: opts.cwd,
    env: opts.env as Record<string, string> | undefined,
    stdin: "ignore",
    stdout: opts.stdout ?? "ignore",
    stderr: opts.stderr ?? "ignore",
  });
  live.add(proc);
  void proc.exited.then(() => live.delete(proc));
  return proc;
}

/** PIDs of helper processes started by this test process that are still running. */
export function liveServicePids(): number[] {
  return [...live].filter((p) => p.exitCode === null && p.signalCode === null).map((p) => p.pid);
}

/** PIDs of processes whose command line mentions `needle` (e.g. a test's own work directory). */
export function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(needle)) out.push(Number(pid));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

export { waitForListening } from "../src/core/net";
