/**
 * Is a distributed build's coordinator still alive? Each coordinator keeps a key
 * `<build id>` in the JetStream KV bucket `lake_builds`, rewritten every TTL/4; the bucket's
 * max age is the TTL, so the key of a coordinator that died (or is cut off) lapses on the
 * server. What hangs on a dead coordinator is then reclaimed instead of being built again
 * and again until JetStream gives up after its deliveries:
 *
 *  - a worker that pulls a task of a dead build drops it and purges every queued task of that
 *    build (one purge per dead build); a finished date whose coordinator is gone is dropped
 *    at once instead of being offered for ~10 s and returned to the queue;
 *  - a coordinator starting a build purges the queued tasks of every dead build;
 *  - the dead build's staging folder is the next build's to resume or remove (the local
 *    build's rule), its attempts folder is removed by that build as stale staging.
 *
 * A live coordinator that was cut off past the TTL finds its key gone at the next renewal
 * (a compare-and-set that fails) and queues its unfinished dates again: at worst a date is
 * built twice, and the coordinator still accepts only one result per date.
 */
import { jetstream, type JetStreamManager } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { hostname } from "node:os";
import { errorMessage } from "../errors";
import { log } from "../log";
import { taskSubject, TASK_STREAM } from "./task-queue";

export const BUILDS_BUCKET = "lake_builds";
const DEFAULT_BUILD_TTL_MS = 10_000;
const TASK_PREFIX = taskSubject("");

/** The TTL of a build's key (`LAKE_BUILD_TTL_S`, default 10 s) when the bucket is created. */
export function buildTtlMs(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env.LAKE_BUILD_TTL_S);
  return env.LAKE_BUILD_TTL_S && Number.isFinite(n) && n >= 1 ? n * 1000 : DEFAULT_BUILD_TTL_MS;
}

/** Open (or create) the bucket; an existing bucket's TTL wins. */
export async function openBuildsBucket(nc: NatsConnection, replicas: number): Promise<KV> {
  const kvm = new Kvm(jetstream(nc, { timeout: 15_000 }));
  try {
    const kv = await kvm.open(BUILDS_BUCKET);
    await kv.status();
    return kv;
  } catch {
    try {
      return await kvm.create(BUILDS_BUCKET, { history: 1, ttl: buildTtlMs(), replicas, description: "lake silver --distributed: one key per live coordinator" });
    } catch {
      return kvm.open(BUILDS_BUCKET); // created concurrently
    }
  }
}

/** true: the build's coordinator is alive; false: it is gone; null: NATS did not answer. */
export async function buildAlive(kv: KV, buildId: string): Promise<boolean | null> {
  try {
    const e = await kv.get(buildId);
    return !!e && e.operation === "PUT";
  } catch {
    return null;
  }
}

/** The coordinator's side: keep the key alive; `onLapsed` when it was found gone (requeue). */
export class BuildBeacon {
  private revision = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private renewing = false;

  private constructor(
    private readonly kv: KV,
    private readonly buildId: string,
    private readonly value: string,
    private readonly onLapsed: () => void,
  ) {}

  static async start(kv: KV, buildId: string, onLapsed: () => void): Promise<BuildBeacon> {
    const b = new BuildBeacon(kv, buildId, JSON.stringify({ host: hostname(), pid: process.pid, started_at: new Date().toISOString() }), onLapsed);
    b.revision = await kv.create(buildId, b.value);
    const ttl = (await kv.status()).ttl || DEFAULT_BUILD_TTL_MS;
    b.timer = setInterval(() => void b.renew(), Math.max(250, Math.floor(ttl / 4)));
    return b;
  }

  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      this.revision = await this.kv.update(this.buildId, this.value, this.revision);
    } catch (e) {
      if (!/wrong last sequence|key exists/i.test(errorMessage(e))) return; // NATS unreachable: try again next time
      log.warn("this build's liveness key lapsed (cut off from NATS?): its queued tasks may have been reclaimed; queuing the unfinished dates again", { build: this.buildId });
      try {
        this.revision = await this.kv.create(this.buildId, this.value);
        this.onLapsed();
      } catch (ce) {
        log.warn("could not recreate the build's liveness key", { build: this.buildId, error: errorMessage(ce) });
      }
    } finally {
      this.renewing = false;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.kv.delete(this.buildId).catch(() => {});
  }
}

/** Purge the queued tasks of one build (all of them: its coordinator is gone). */
export async function purgeBuild(jsm: JetStreamManager, buildId: string): Promise<number> {
  const r = await jsm.streams.purge(TASK_STREAM, { filter: taskSubject(buildId) });
  return r.purged;
}

/** Purge the queued tasks of every build whose coordinator is gone; returns the builds reclaimed. */
export async function reclaimDeadBuilds(jsm: JetStreamManager, kv: KV): Promise<string[]> {
  let subjects: Record<string, number> = {};
  try {
    const info = await jsm.streams.info(TASK_STREAM, { subjects_filter: `${TASK_PREFIX}>` });
    subjects = info.state.subjects ?? {};
  } catch (e) {
    log.debug("task queue not listed", { error: errorMessage(e) });
    return [];
  }
  const dead: string[] = [];
  for (const subject of Object.keys(subjects)) {
    const buildId = subject.slice(TASK_PREFIX.length);
    if ((await buildAlive(kv, buildId)) !== false) continue;
    const n = await purgeBuild(jsm, buildId).catch(() => 0);
    log.warn("reclaimed the queued tasks of a build whose coordinator is gone", { build: buildId, tasks: n });
    dead.push(buildId);
  }
  return dead;
}
