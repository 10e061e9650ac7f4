/**
 * Loopback TCP helpers shared by `lake demo` (which starts a private nats-server) and the
 * test harnesses (testkit/net.ts re-exports these): one free-port probe, one connect probe,
 * one "wait until the child listens" loop.
 */
import type { Subprocess } from "bun";
import { connect, createServer } from "node:net";
import { LakeError } from "../errors";

/**
 * A free TCP port on 127.0.0.1, chosen below the kernel's ephemeral range (32768+ on Linux).
 * Why not bind(0): that hands out an ephemeral port, and while a server on it is restarted
 * (the NATS restart tests, a demo's nats-server) any outgoing connection may be given the
 * same number as its source port — or a reconnecting client may connect to itself (TCP
 * simultaneous open) — and the server can no longer bind its own port.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canBind(port)) return port;
  }
  return await ephemeralPort();
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** Fallback: whatever bind(0) gives. */
function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Does something accept TCP connections on host:port (within `timeoutMs`)? */
export function canConnect(port: number, host = "127.0.0.1", timeoutMs = 1_000): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = connect(port, host);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
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
      throw new LakeError(`${name} exited (${proc.exitCode ?? proc.signalCode}) before listening on ${host}:${port}`);
    }
    if (await canConnect(port, host, 500)) return;
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      await proc.exited;
      throw new LakeError(`${name} did not listen on ${host}:${port} within ${timeoutMs} ms (killed pid ${proc.pid})`);
    }
    await Bun.sleep(25);
  }
}

/**
 * Can a server listen on host:port right now? null if yes, else the reason (address in use,
 * permission denied, no such address). A service checks before it starts anything, so a bad
 * port is refused at once instead of leaving it running without the listener.
 */
export function listenProblem(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", (e: NodeJS.ErrnoException) => {
      const why = e.code === "EADDRINUSE" ? "address already in use" : e.code === "EACCES" ? "permission denied" : e.code === "EADDRNOTAVAIL" ? "no such local address" : e.message;
      resolve(why);
    });
    srv.listen(port, host, () => srv.close(() => resolve(null)));
  });
}
