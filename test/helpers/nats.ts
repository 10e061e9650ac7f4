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

export async function startNats(opts: { port?: number; storeDir?: string } = {}): Promise<NatsServer> {
  const port = opts.port ?? (await freePort());
  const storeDir = opts.storeDir ?? mkdtempSync(join(tmpdir(), "lake-nats-"));
  const ownsStore = !opts.storeDir;
  let proc: ReturnType<typeof Bun.spawn> | null = null;

  async function start() {
    // spawnService: dies with the test process even on SIGKILL (test/helpers/processes.ts).
    proc = spawnService(["nats-server", "-js", "-a", "127.0.0.1", "-p", String(port), "-sd", storeDir]);
    await waitForListening(proc, port, 10_000, "nats-server");
  }
  async function stopWith(signal: NodeJS.Signals) {
    if (!proc) return;
    const p = proc;
    proc = null;
    p.kill(signal);
    await p.exited;
  }

  await start();
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
