/**
 * `lake serve --share`: several active instances split the consumers among themselves,
 * each consumer owned by exactly one through its lease (lease.ts), and each instance takes
 * over what another stops holding — a clean hand-back at once, a dead owner's consumers
 * when their leases lapse (at once for a dead process on this machine).
 *
 * Every instance announces itself with a presence key `instance.<id>` in the lease bucket,
 * renewed like a lease (the bucket's max age makes it lapse with its owner). Every tick it
 * reads the presence keys and the consumers' lease keys and asks share-plan.ts for one
 * action: take a free consumer, or hand one back (pinned elsewhere, or balancing). Taking
 * and handing back run beside the tick, one per consumer at a time:
 *
 *   take:    lease (CAS) → local directory lock → lane start (recovery, reposition at W+1)
 *   release: lane stop (flush, commit, ack) → unlock → lease marked released
 *
 * A lane whose lease was lost (taken over while this instance was paused or cut off) writes
 * nothing more (fencing, lease.ts); it is stopped and the consumer goes back to the pool.
 * Any other lane failure is fatal to the service, as without sharing.
 */
import type { JetStreamManager } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { errorMessage, LakeError } from "../../errors";
import { log } from "../../log";
import { lockDurableDir, type DirLock } from "./dir-lock";
import type { IngestLane } from "./lane";
import { DurableLease, holderIsDeadLocalProcess, LEASE_BUCKET, LeaseHeldError, type Identity, type LeaseBucket, type LeaseValue } from "./lease";
import { nextAction, type Peer } from "./share-plan";
import type { ConsumerSpec } from "./streams";

const PRESENCE_PREFIX = "instance.";

/** What a presence key holds. */
export interface PresenceValue extends Identity {
  pinned: string[] | null;
  startedAt: string;
  renewedAt: string;
  released?: boolean;
}

/** Where a consumer's lane runs: the writer (Bronze or Gold) that reads it. */
export interface LaneHost {
  startLane(c: ConsumerSpec, lease: DurableLease): Promise<IngestLane>;
  stopLane(lane: IngestLane, deadlineMs: number): Promise<{ ok: boolean; error?: string }>;
}

export interface ShareOptions {
  bucket: LeaseBucket;
  /** Lists the presence keys (their subjects in the bucket's stream). */
  jsm: JetStreamManager;
  me: Identity;
  consumers: readonly { spec: ConsumerSpec; host: LaneHost }[];
  /** Durables this instance is pinned to (`--consumers`); null = balance with the others. */
  pinned: readonly string[] | null;
  /** Local data root (for the directory locks), or null on S3. */
  localRoot: string | null;
  /** The highest epoch in a durable's commit records. */
  minEpoch(durable: string): Promise<number>;
  /** Deadline for a hand-back's final flush. */
  handBackTimeoutMs: number;
  signal: AbortSignal;
}

interface Held {
  spec: ConsumerSpec;
  host: LaneHost;
  lease: DurableLease;
  lock: DirLock | null;
  lane: IngestLane | null;
}

export function presenceKey(instance: string): string {
  return PRESENCE_PREFIX + instance.replace(/[^-\w]/g, "_");
}

export class ConsumerShare {
  private readonly held = new Map<string, Held>();
  private readonly busy = new Map<string, Promise<void>>();
  private readonly freeSince = new Map<string, number>();
  private tickTimer: ReturnType<typeof setTimeout> | null = null;
  private presenceTimer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  private ticks = 0;
  private readonly startedAt = new Date().toISOString();
  /** Resolves with the reason when a lane fails for any reason but a lost lease. */
  readonly fatal: Promise<string>;
  private failWith!: (reason: string) => void;

  constructor(private readonly o: ShareOptions) {
    this.fatal = new Promise((r) => (this.failWith = r));
  }

  private get kv(): KV {
    return this.o.bucket.kv;
  }

  private get tickMs(): number {
    return Math.min(2_000, Math.max(250, Math.floor(this.o.bucket.ttlMs / 5)));
  }

  /** The lanes this instance runs now. */
  lanes(): IngestLane[] {
    return [...this.held.values()].flatMap((h) => (h.lane ? [h.lane] : []));
  }

  async start(): Promise<void> {
    await this.announce();
    this.presenceTimer = setInterval(() => void this.announce(), Math.max(250, Math.floor(this.o.bucket.ttlMs / 4)));
    log.info("sharing the consumers with the other lake serve --share instances", { instance: this.o.me.instance, pinned: this.o.pinned?.join(",") ?? "none (balanced)" });
    this.schedule(0);
  }

  private async announce(released = false): Promise<void> {
    const now = new Date().toISOString();
    const v: PresenceValue = { ...this.o.me, pinned: this.o.pinned ? [...this.o.pinned] : null, startedAt: this.startedAt, renewedAt: now, ...(released ? { released } : {}) };
    try {
      await this.kv.put(presenceKey(this.o.me.instance), JSON.stringify(v));
    } catch (e) {
      log.debug("presence not renewed", { error: errorMessage(e) });
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    // a request that never answers must not stop the ticks: a tick gets a few TTLs at most
    const bound = (p: Promise<void>) => Promise.race([p, Bun.sleep(this.o.bucket.ttlMs * 3)]);
    this.tickTimer = setTimeout(() => void bound(this.tick()).finally(() => this.schedule(this.tickMs)), ms);
  }

  private async tick(): Promise<void> {
    const generation = ++this.ticks;
    let peers: Peer[];
    const owners = new Map<string, string | null>();
    try {
      peers = await this.livePeers();
      for (const { spec } of this.o.consumers) {
        const e = await this.kv.get(spec.durable);
        const v = e && e.operation === "PUT" ? (e.json() as LeaseValue) : null;
        owners.set(spec.durable, !v || v.released || holderIsDeadLocalProcess(v, this.o.me) ? null : v.instance);
      }
    } catch (e) {
      log.debug("share: lease bucket not readable this tick", { error: errorMessage(e) });
      return;
    }
    // stopped meanwhile, or this tick outlived its bound and a newer one runs: its view is stale
    if (this.stopped || generation !== this.ticks) return;
    const now = Date.now();
    for (const [d, o] of owners) {
      if (o !== null) this.freeSince.delete(d);
      else if (!this.freeSince.has(d)) this.freeSince.set(d, now);
    }
    const me: Peer = { instance: this.o.me.instance, pinned: this.o.pinned };
    if (!peers.some((p) => p.instance === me.instance)) peers.push(me);
    const action = nextAction({
      me, peers, consumers: this.o.consumers.map((c) => c.spec.durable).sort(), owners, freeSince: this.freeSince,
      busy: new Set(this.busy.keys()), held: new Set(this.held.keys()), now, graceMs: this.o.bucket.ttlMs,
    });
    if (!action) return;
    const d = "take" in action ? action.take : action.release;
    this.track(d, "take" in action ? this.take(d, action.reason) : this.handBack(d, action.reason));
  }

  /** Run a take or hand-back of `durable`; a failure of either is fatal to the service. */
  private track(durable: string, job: Promise<void>): void {
    const p: Promise<void> = job
      .catch((e) => {
        log.error("share: consumer change failed", { durable, error: errorMessage(e) });
        this.failWith(`${durable}: ${errorMessage(e)}`);
      })
      .finally(() => {
        if (this.busy.get(durable) === p) this.busy.delete(durable);
      });
    this.busy.set(durable, p);
  }

  /** Sharing instances whose presence key is current (not released, not a dead local process). */
  private async livePeers(): Promise<Peer[]> {
    // One stream-info request lists the presence subjects. Not kv.keys(): its ordered consumer
    // lists a key rewritten meanwhile twice and, on a busy bucket, can stall for tens of seconds.
    const prefix = `$KV.${LEASE_BUCKET}.`;
    const info = await this.o.jsm.streams.info(`KV_${LEASE_BUCKET}`, { subjects_filter: `${prefix}${PRESENCE_PREFIX}>` });
    const keys = Object.keys(info.state.subjects ?? {}).map((s) => s.slice(prefix.length));
    const peers: Peer[] = [];
    for (const k of keys) {
      const e = await this.kv.get(k);
      if (!e || e.operation !== "PUT") continue;
      const v = e.json() as PresenceValue;
      if (v.released || holderIsDeadLocalProcess({ ...v, epoch: 0, acquiredAt: v.startedAt }, this.o.me)) continue;
      peers.push({ instance: v.instance, pinned: v.pinned });
    }
    return peers;
  }

  private async take(durable: string, reason: string): Promise<void> {
    const c = this.o.consumers.find((x) => x.spec.durable === durable)!;
    const lease = new DurableLease(this.o.bucket, durable, this.o.me);
    try {
      await lease.acquire({ standby: false, minEpoch: () => this.o.minEpoch(durable), signal: this.o.signal });
    } catch (e) {
      if (e instanceof LeaseHeldError) return; // another instance was faster: the next tick sees it
      if (this.o.signal.aborted) return;
      throw e;
    }
    const held: Held = { spec: c.spec, host: c.host, lease, lock: null, lane: null };
    this.held.set(durable, held);
    log.info("taking a consumer", { durable, epoch: lease.epoch, why: reason });
    if (this.o.localRoot) {
      held.lock = await lockDurableDir(this.o.localRoot, durable, this.o.me.instance, this.o.signal);
      if (!held.lock) return void (await this.forget(held));
    }
    if (this.stopped) return;
    try {
      held.lane = await c.host.startLane(c.spec, lease);
    } catch (e) {
      if (lease.lostReason && lease.lostReason !== "released") return void (await this.drop(held));
      throw e;
    }
    log.info("consumer running", { durable, epoch: lease.epoch });
    void held.lane.failed.then((why) => {
      if (this.held.get(durable) !== held) return;
      if (lease.lostReason) this.track(durable, this.drop(held));
      else this.failWith(why);
    });
  }

  /** The lease was lost: stop the lane (it writes nothing more) and forget the consumer. */
  private async drop(h: Held): Promise<void> {
    log.warn("lost a consumer to another instance; sharing on", { durable: h.spec.durable, reason: h.lease.lostReason });
    if (h.lane) await h.host.stopLane(h.lane, Date.now() + 5_000);
    await this.forget(h);
  }

  private async forget(h: Held): Promise<void> {
    h.lock?.release();
    await h.lease.release();
    this.held.delete(h.spec.durable);
  }

  /** Hand a consumer back: stop its lane cleanly (commit and ack everything), then release. */
  private async handBack(durable: string, reason: string): Promise<void> {
    const h = this.held.get(durable);
    if (!h) return;
    log.info("handing a consumer back", { durable, why: reason });
    const r = h.lane ? await h.host.stopLane(h.lane, Date.now() + this.o.handBackTimeoutMs) : { ok: true };
    h.lane = null;
    if (!r.ok) throw new LakeError(`the final flush before handing ${durable} back failed: ${r.error ?? "unknown"}`);
    await this.forget(h);
    log.info("consumer handed back", { durable });
  }

  /** Stop changing anything and wait for takes and hand-backs under way (shutdown, step 1). */
  async quiesce(): Promise<void> {
    this.stopped = true;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    await Promise.all([...this.busy.values()]);
  }

  /** After the lanes have stopped: release every lease and lock and the presence key (shutdown, step 2). */
  async releaseAll(): Promise<void> {
    if (this.presenceTimer) clearInterval(this.presenceTimer);
    for (const h of [...this.held.values()]) await this.forget(h);
    await this.announce(true);
  }
}
