/**
 * Start a private `nats-server -js` on a free loopback port with a temp store, for tests
 * and benchmarks. Never touches a system server on :4222. Stopped by PID.
 *
 *   await using nats = await startNats();
 *   nats.url  // nats://127.0.0.1:PORT
 *   await nats.restart();  // same port and store: a real server restart
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./net";
import { spawnService, waitForListening } from "./processes";

export interface NatsServer extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  pid(): number;
  /** "running (pid N)" or how the server ended, with the tail of its log: for failure messages. */
  state(): string;
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
  // nats-server logs to stderr: kept beside the store so a failing test can say why it stopped
  const logPath = `${storeDir}.log`;
  let proc: ReturnType<typeof Bun.spawn> | null = null;
  const logTail = () => (existsSync(logPath) ? readFileSync(logPath, "utf8").trimEnd().split("\n").slice(-10).join("\n") : "");

  async function start() {
    // spawnService: dies with the test process even on SIGKILL (testkit/processes.ts).
    const js = opts.jetstream === false ? [] : ["-js", "-sd", storeDir];
    const name = `lake-test-${process.pid}-${port}-${Math.random().toString(36).slice(2, 10)}`;
    const p = spawnService(["nats-server", ...js, "-a", "127.0.0.1", "-p", String(port), "--name", name], { stderr: Bun.file(logPath) });
    proc = p;
    await waitForListening(p, port, 10_000, "nats-server");
    // Another server may answer on the port while this one failed to bind it and is still
    // exiting (on a loaded machine that takes longer than any fixed wait): only a server that
    // gives this one's name in its INFO is ours.
    const answered = await serverNameAt(port);
    if (answered !== name || p.exitCode !== null || p.signalCode !== null) {
      p.kill("SIGKILL");
      await p.exited;
      throw new Error(`nats-server exited or lost the port before listening on 127.0.0.1:${port} (the server answering there is ${answered ?? "unknown"})`);
    }
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
      if (opts.port !== undefined || attempt >= 3 || !String(e).includes("before listening")) {
        // Given up: leave no server, store or log behind; the log's tail goes into the error.
        await stopWith("SIGKILL");
        const tail = logTail();
        if (ownsStore) rmSync(storeDir, { recursive: true, force: true });
        rmSync(logPath, { force: true });
        if (e instanceof Error && tail) e.message += `\nnats-server log:\n${tail}`;
        throw e;
      }
      port = await freePort();
    }
  }
  const server: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    pid: () => proc?.pid ?? -1,
    state: () => {
      const p = proc;
      const tail = logTail() || "(no log)";
      if (!p) return `stopped by the test\n${tail}`;
      return p.exitCode === null && p.signalCode === null ? `running (pid ${p.pid})` : `exited (${p.exitCode ?? p.signalCode}), pid ${p.pid}\n${tail}`;
    },
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
      rmSync(logPath, { force: true });
    },
  };
  return server;
}

/** The `server_name` of whatever NATS server answers on the loopback `port` (null if none answers). */
function serverNameAt(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    let text = "";
    let settled = false;
    let socket: { end(): void } | undefined;
    const done = (v: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.end();
      resolve(v);
    };
    const timer = setTimeout(() => done(null), 5_000);
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data(_s, chunk) {
          text += new TextDecoder().decode(chunk);
          const end = text.indexOf("\r\n");
          if (end < 0) return;
          try {
            done(text.startsWith("INFO ") ? ((JSON.parse(text.slice(5, end)) as { server_name?: string }).server_name ?? null) : null);
          } catch {
            done(null);
          }
        },
        error: () => done(null),
        close: () => done(null),
      },
    }).then(
      (s) => (settled ? s.end() : (socket = s)),
      () => done(null),
    );
  });
}
