/**
 * A real 3-node JetStream cluster on loopback for tests and benchmarks: three `nats-server -js`
 * processes, each with its own client port, cluster (route) port, server name and store dir,
 * routed to one another. Stopped by PID; never touches a system server on :4222.
 *
 *   await using cluster = await startNatsCluster();
 *   cluster.url              // "nats://127.0.0.1:A,nats://127.0.0.1:B,nats://127.0.0.1:C"
 *   await cluster.nodes[1].kill();  await cluster.nodes[1].start();   // crash and come back
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { freePort } from "./net";
import { spawnService, waitForListening } from "./processes";

export interface ClusterNode {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  pid(): number;
  running(): boolean;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** SIGTERM (lame-duck free, immediate). */
  stop(): Promise<void>;
  /** Start again on the same ports and store. */
  start(): Promise<void>;
  /** Names of the client connections this node serves now (its monitoring endpoint's /connz). */
  clientNames(): Promise<string[]>;
}

export interface NatsCluster extends AsyncDisposable {
  /** Every client URL, comma-separated (what NATS_URL takes). */
  readonly url: string;
  readonly nodes: readonly ClusterNode[];
  /** Resolves once JetStream has a meta leader (streams can be created). */
  ready(timeoutMs?: number): Promise<void>;
}

/**
 * Ports are found free, then bound by the servers a moment later: another process on the
 * machine can take one in between (the node then exits before listening). Start again on
 * fresh ports rather than fail the test for it.
 */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNatsClusterOnce(size);
    } catch (e) {
      if (attempt >= 3 || !String(e).includes("before listening")) throw e;
    }
  }
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

async function startNatsClusterOnce(size: number): Promise<NatsCluster> {
  const root = mkdtempSync(join(tmpdir(), "lake-nats-cluster-"));
  const free = await distinctFreePorts(size * 3);
  const ports = Array.from({ length: size }, (_, i) => ({ client: free[3 * i]!, route: free[3 * i + 1]!, monitor: free[3 * i + 2]! }));
  const routes = ports.map((p) => `nats://127.0.0.1:${p.route}`);
  const nodes: ClusterNode[] = ports.map((p, i) => {
    const name = `lake-n${i + 1}`;
    const storeDir = join(root, name);
    let proc: ReturnType<typeof Bun.spawn> | null = null;
    const stopWith = async (signal: NodeJS.Signals) => {
      if (!proc) return;
      const x = proc;
      proc = null;
      x.kill(signal);
      await x.exited;
    };
    return {
      name,
      url: `nats://127.0.0.1:${p.client}`,
      port: p.client,
      pid: () => proc?.pid ?? -1,
      running: () => proc !== null,
      kill: () => stopWith("SIGKILL"),
      stop: () => stopWith("SIGTERM"),
      async clientNames() {
        const res = await fetch(`http://127.0.0.1:${p.monitor}/connz?limit=4096`);
        const body = (await res.json()) as { connections?: { name?: string }[] };
        return (body.connections ?? []).map((c) => c.name ?? "");
      },
      async start() {
        if (proc) return;
        const peers = routes.filter((_, k) => k !== i).join(",");
        proc = spawnService([
          "nats-server", "-js", "-n", name, "-a", "127.0.0.1", "-p", String(p.client), "-sd", storeDir,
          "--cluster_name", "lake-test", "--cluster", `nats://127.0.0.1:${p.route}`, "--routes", peers,
          "-m", String(p.monitor),
        ]);
        await waitForListening(proc, p.client, 15_000, `nats-server ${name}`);
      },
    };
  });
  const cluster: NatsCluster = {
    url: nodes.map((n) => n.url).join(","),
    nodes,
    ready: (timeoutMs = 30_000) => waitForMetaLeader(nodes.map((n) => n.url), timeoutMs),
    async [Symbol.asyncDispose]() {
      await Promise.all(nodes.map((n) => n.stop()));
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(nodes.map((n) => n.start()));
    await cluster.ready();
  } catch (e) {
    await cluster[Symbol.asyncDispose]();
    throw e;
  }
  return cluster;
}

/** JetStream answers account info only once the cluster has elected a meta leader. */
async function waitForMetaLeader(servers: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    const nc = await connect({ servers, noAsyncTraces: true, maxReconnectAttempts: 0 }).catch((e) => ((last = e), null));
    if (nc) {
      try {
        const jsm = await jetstreamManager(nc, { timeout: 2_000 });
        await jsm.getAccountInfo();
        return;
      } catch (e) {
        last = e;
      } finally {
        await nc.close();
      }
    }
    await Bun.sleep(250);
  }
  throw new Error(`the NATS cluster has no JetStream meta leader after ${timeoutMs} ms: ${String(last)}`);
}
