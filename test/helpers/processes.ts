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
import type { Subprocess } from "bun";
import { connect } from "node:net";

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
  stdout?: "ignore" | "pipe" | "inherit";
  stderr?: "ignore" | "pipe" | "inherit";
}

/** Bun.spawn for a long-running helper process, tied to this process's lifetime. */
export function spawnService(cmd: string[], opts: ServiceOptions = {}): Subprocess<"ignore", "pipe" | "ignore" | "inherit", "pipe" | "ignore" | "inherit"> {
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

function canConnect(port: number, host: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = connect(port, host);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/**
 * Resolve once `proc` accepts TCP connections on host:port. Rejects — after killing the
 * process — if it exits first (e.g. the port was taken between freePort() and its bind)
 * or if nothing listens within `timeoutMs`.
 */
export async function waitForListening(proc: Subprocess, port: number, timeoutMs: number, name: string, host = "127.0.0.1"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`${name} exited (${proc.exitCode ?? proc.signalCode}) before listening on ${host}:${port}`);
    }
    if (await canConnect(port, host)) return;
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      await proc.exited;
      throw new Error(`${name} did not listen on ${host}:${port} within ${timeoutMs} ms (killed pid ${proc.pid})`);
    }
    await Bun.sleep(25);
  }
}
