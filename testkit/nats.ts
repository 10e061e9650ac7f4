/**
 * Start a private `nats-server -js` on a free loopback port with a temp store, for tests
 * and benchmarks. Never touches a system server on :4222. Stopped by PID.
 *
 *   await using nats = await startNats();
 *   nats.url  // nats://127.0.0.1:PORT
 *   await nats.restart();  // same port and store: a real server restart
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./net";
import { spawnService, waitForListening } from "./processes";

export interface NatsServer extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  pid(): number;
  stop(): Promise<void>;
  /** Kill -9, as a crash would. */
  kill(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
}

/** `jetstream: false` starts a plain core-NATS server (what a misconfigured deployment looks like). */
export async function startNats(opts: { port?: number; storeDir?: string; jetstream?: boolean } = {}): Promise<NatsServer> {
  let port = opts.port ?? (await freePort());
  const storeDir = opts.storeDir ?? mkdtempSync(join(tmpdir(), "lake-nats-"));
  const ownsStore = !opts.storeDir;
  let proc: ReturnType<typeof Bun.spawn> | null = null;

  async function start() {
    // spawnService: dies with the test process even on SIGKILL (testkit/processes.ts).
    const js = opts.jetstream === false ? [] : ["-js", "-sd", storeDir];
    proc = spawnService(["nats-server", ...js, "-a", "127.0.0.1", "-p", String(port)]);
    await waitForListening(proc, port, 10_000, "nats-server");
  }
  async function stopWith(signal: NodeJS.Signals) {
    if (!proc) return;
    const p = proc;
    proc = null;
    p.kill(signal);
    await p.exited;
  }

  // A port found free can be taken by another process before the server binds it: the server
  // then exits before listening; start again on a fresh port (unless the caller chose it).
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (e) {
      if (opts.port !== undefined || attempt >= 3 || !String(e).includes("before listening")) throw e;
      port = await freePort();
    }
  }
  const server: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    pid: () => proc?.pid ?? -1,
    start,
    stop: () => stopWith("SIGTERM"),
    kill: () => stopWith("SIGKILL"),
    restart: async () => {
      await stopWith("SIGTERM");
      await start();
    },
    async [Symbol.asyncDispose]() {
      await stopWith("SIGTERM");
      if (ownsStore) rmSync(storeDir, { recursive: true, force: true });
    },
  };
  return server;
}
