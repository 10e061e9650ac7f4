/**
 * Exclusive ownership of a durable consumer, held in NATS itself: one key per durable in
 * the JetStream key-value bucket `lake_leases`, value = who holds it and the fencing
 * epoch. docs/ingest.md "Ownership" has the argument; in short:
 *
 *  - the bucket's max_age is the lease TTL: every renewal is a new revision, so a key that
 *    is not renewed for TTL disappears server-side (per-key TTLs need nats-server 2.11; a
 *    bucket-wide max_age works on every 2.9+ server and is all a lease needs);
 *  - renewal and every proof of ownership are a compare-and-set on the revision this
 *    holder last wrote: it succeeds only if nobody wrote the key since, so a CAS failure
 *    means the lease was taken (or lapsed) — the holder has lost it for good;
 *  - a holder that cannot reach NATS keeps its lease only in the sense that nobody else
 *    may have taken it yet: it writes nothing until a fresh CAS proves it (`prove`), and
 *    `validUntil` bounds how long a proof may be relied on (TTL minus a margin, measured
 *    from before the CAS was sent, so the key cannot have expired before then);
 *  - the epoch grows by one at every acquisition and is written into intent.json and
 *    commit.json, so files and records of a newer owner are recognised by an older one.
 */
import { jetstream } from "@nats-io/jetstream";
import { Kvm, type KV, type KvEntry } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";
import { LakeError, errorMessage } from "../../errors";
import { log } from "../../log";
import { sleepUnlessAborted } from "./jetstream";

export const LEASE_BUCKET = "lake_leases";
export const DEFAULT_LEASE_TTL_MS = 10_000;
/** How long taking a lease keeps retrying requests that time out or are refused (JetStream electing a leader). */
const ACQUIRE_RETRY_MS = 60_000;

/** What a lease key holds. */
export interface LeaseValue {
  instance: string;
  host: string;
  pid: number;
  /** Linux pid namespace and boot id: a pid is only comparable within the same ones. */
  pidns: string;
  boot: string;
  epoch: number;
  acquiredAt: string;
  renewedAt: string;
  released?: boolean;
}

export interface Identity {
  instance: string;
  host: string;
  pid: number;
  pidns: string;
  boot: string;
}

function readOr(f: () => string): string {
  try {
    return f().trim();
  } catch {
    return "";
  }
}

export function localIdentity(): Identity {
  const rnd = Math.floor(Math.random() * 0xffffffff).toString(36);
  return {
    instance: `${hostname()}-${process.pid}-${rnd}`,
    host: hostname(),
    pid: process.pid,
    pidns: readOr(() => readlinkSync("/proc/self/ns/pid")),
    boot: readOr(() => readFileSync("/proc/sys/kernel/random/boot_id", "utf8")),
  };
}

/** A holder on this machine (same host, boot and pid namespace) whose process is gone. */
export function holderIsDeadLocalProcess(v: LeaseValue, me: Identity): boolean {
  if (!me.pidns || !me.boot || v.host !== me.host || v.pidns !== me.pidns || v.boot !== me.boot || v.pid === me.pid) return false;
  try {
    process.kill(v.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export function describeHolder(v: LeaseValue): string {
  return `instance ${v.instance} (host ${v.host}, pid ${v.pid}, epoch ${v.epoch}, renewed ${v.renewedAt})`;
}

/** Another live instance holds the lease (and this one does not stand by). */
export class LeaseHeldError extends LakeError {
  constructor(durable: string, holder: LeaseValue) {
    super(`durable ${durable} is owned by ${describeHolder(holder)}; a second lake serve on the same durables refuses to start (use --standby to wait and take over when that owner stops)`);
    this.name = "LeaseHeldError";
  }
}

export interface LeaseBucket {
  kv: KV;
  ttlMs: number;
}

/** Open a just-created bucket: its first requests may time out while its leader is elected. */
async function retryOpen(open: () => Promise<KV>): Promise<KV> {
  for (let i = 1; ; i++) {
    try {
      return await open();
    } catch (e) {
      if (i >= 20) throw e;
      await Bun.sleep(250);
    }
  }
}

/** Open (or create) the lease bucket; an existing bucket's TTL wins over the requested one. */
export async function openLeaseBucket(nc: NatsConnection, ttlMs: number, replicas = 1): Promise<LeaseBucket> {
  // A renewal stuck in the client's default 5 s timeout (NATS restarting) could outlive the
  // lease itself: lease calls time out after a fraction of the TTL and are simply retried.
  const kvm = new Kvm(jetstream(nc, { timeout: Math.max(500, Math.floor(ttlMs / 5)) }));
  const open = async () => {
    const kv = await kvm.open(LEASE_BUCKET);
    await kv.status();
    return kv;
  };
  let kv: KV;
  try {
    kv = await open();
  } catch {
    // Creating a replicated bucket waits for a RAFT group to form: far longer than a lease call may take.
    const admin = new Kvm(jetstream(nc, { timeout: 15_000 }));
    try {
      await admin.create(LEASE_BUCKET, { history: 1, ttl: ttlMs, replicas, description: "lake serve: one owner per durable consumer" });
    } catch {
      // created concurrently by another instance (or ours went through): opening below decides
    }
    kv = await retryOpen(open);
  }
  const actual = (await kv.status()).ttl;
  if (actual > 0 && actual !== ttlMs) log.warn("the lease bucket exists with another TTL; using the bucket's", { bucket: LEASE_BUCKET, requestedMs: ttlMs, bucketMs: actual });
  if (actual <= 0) throw new LakeError(`JetStream KV bucket ${LEASE_BUCKET} exists without a max age (TTL): leases could never lapse; delete it (nats kv del ${LEASE_BUCKET}) and restart`);
  return { kv, ttlMs: actual };
}

export interface AcquireOptions {
  /** Wait for the current owner to stop instead of refusing. */
  standby: boolean;
  /** The highest epoch found in this durable's commit records (a lapsed key forgets its own); read right before taking. */
  minEpoch: () => Promise<number>;
  signal?: AbortSignal;
}

export interface Proof {
  ok: boolean;
  /** The lease is gone for good (taken over or lapsed): stop, write nothing. */
  lost: boolean;
  /** Wall-clock ms until which this proof may be relied on. */
  validUntil: number;
  reason?: string;
}

function isCasFailure(e: unknown): boolean {
  return /wrong last sequence|key exists/i.test(errorMessage(e));
}

export class DurableLease {
  epoch = 0;
  revision = 0;
  validUntil = 0;
  /** Resolves with the reason once the lease is lost (taken over or lapsed). */
  readonly lost: Promise<string>;
  lostReason: string | null = null;
  private markLost!: (reason: string) => void;
  private timer: ReturnType<typeof setInterval> | null = null;
  private renewing: Promise<Proof> | null = null;
  private value!: LeaseValue;
  private readonly margin: number;

  constructor(
    private readonly bucket: LeaseBucket,
    readonly durable: string,
    private readonly me: Identity,
  ) {
    this.lost = new Promise((r) => (this.markLost = r));
    this.margin = Math.max(1_000, bucket.ttlMs / 5);
  }

  get ttlMs(): number {
    return this.bucket.ttlMs;
  }

  /** Take the lease: at once if free, lapsed or left by a dead local process; else refuse or stand by. */
  async acquire(opts: AcquireOptions): Promise<void> {
    const { kv } = this.bucket;
    let seen: LeaseValue | null = null;
    // A request that times out or is refused while JetStream elects a leader (a node restarting,
    // a just-created replicated bucket) says nothing about the lease: look again, for a while
    // (counted afresh at each look of a standby, which may wait for hours).
    let deadline = Date.now() + ACQUIRE_RETRY_MS;
    let backoff = 200;
    let firstWriteAt = 0;
    const transient = async (e: unknown): Promise<void> => {
      if (e instanceof LakeError || Date.now() + backoff > deadline) {
        if (e instanceof LakeError) throw e;
        throw new LakeError(`taking the lease on ${this.durable} failed after ${Math.round(ACQUIRE_RETRY_MS / 1000)} s of retries: ${errorMessage(e)}`);
      }
      log.warn("lease request failed, retrying", { durable: this.durable, error: errorMessage(e) });
      await sleepUnlessAborted(backoff, opts.signal);
      backoff = Math.min(backoff * 2, 3_000);
    };
    for (;;) {
      if (opts.signal?.aborted) throw new LakeError(`stopped while waiting for the lease on ${this.durable}`);
      let entry: KvEntry | null;
      try {
        entry = await kv.get(this.durable);
      } catch (e) {
        await transient(e);
        continue;
      }
      const current = entry && entry.operation === "PUT" ? (entry.json() as LeaseValue) : null;
      if (firstWriteAt && entry && current && !current.released && current.instance === this.me.instance) {
        // Our own create/update landed but its reply was lost (the request timed out): it is
        // ours, written no earlier than our first attempt was sent.
        this.hold(current, entry.revision, firstWriteAt, null);
        return;
      }
      const free = !current || current.released || holderIsDeadLocalProcess(current, this.me);
      if (free) {
        const epoch = Math.max(current?.epoch ?? 0, seen?.epoch ?? 0, await opts.minEpoch()) + 1;
        const now = new Date().toISOString();
        const value: LeaseValue = { ...this.me, epoch, acquiredAt: now, renewedAt: now };
        const sentAt = Date.now();
        firstWriteAt ||= sentAt;
        let revision: number;
        try {
          revision = entry ? await kv.update(this.durable, JSON.stringify(value), entry.revision) : await kv.create(this.durable, JSON.stringify(value));
        } catch (e) {
          // A CAS failure: another instance was faster. Anything else: the write may or may
          // not have landed; the next look finds our own value if it did.
          if (!isCasFailure(e)) await transient(e);
          continue;
        }
        this.hold(value, revision, sentAt, current && !current.released ? current : seen);
        return;
      }
      if (!opts.standby) throw new LeaseHeldError(this.durable, current!);
      if (!seen) {
        log.info("standing by: the durable is owned by another instance; taking over when its lease lapses", { durable: this.durable, owner: describeHolder(current!), ttlMs: this.bucket.ttlMs });
      }
      seen = current!;
      deadline = Date.now() + ACQUIRE_RETRY_MS;
      backoff = 200;
      await sleepUnlessAborted(Math.min(500, this.bucket.ttlMs / 5), opts.signal);
    }
  }

  /** Start holding `value` at `revision` (written at or after `sentAt`) and renewing it. */
  private hold(value: LeaseValue, revision: number, sentAt: number, previous: LeaseValue | null): void {
    this.value = value;
    this.revision = revision;
    this.epoch = value.epoch;
    this.validUntil = sentAt + this.bucket.ttlMs - this.margin;
    if (previous) log.warn("took over the lease of a stopped owner", { durable: this.durable, previous: describeHolder(previous), epoch: value.epoch });
    else log.info("lease acquired", { durable: this.durable, epoch: value.epoch, ttlMs: this.bucket.ttlMs });
    this.timer = setInterval(() => void this.renew(), Math.max(250, Math.floor(this.bucket.ttlMs / 4)));
  }

  /** Renew now (CAS on the revision last written); concurrent callers share one request. */
  renew(): Promise<Proof> {
    if (this.lostReason) return Promise.resolve(this.lostProof());
    this.renewing ??= this.renewOnce().finally(() => (this.renewing = null));
    return this.renewing;
  }

  /** Prove ownership before a write: a fresh CAS renewal. */
  prove(): Promise<Proof> {
    return this.renew();
  }

  private lostProof(): Proof {
    return { ok: false, lost: true, validUntil: 0, reason: this.lostReason ?? "lease lost" };
  }

  private async renewOnce(): Promise<Proof> {
    const { kv } = this.bucket;
    const value: LeaseValue = { ...this.value, renewedAt: new Date().toISOString() };
    const sentAt = Date.now();
    try {
      this.revision = await kv.update(this.durable, JSON.stringify(value), this.revision);
      this.value = value;
      this.validUntil = sentAt + this.bucket.ttlMs - this.margin;
      return { ok: true, lost: false, validUntil: this.validUntil };
    } catch (e) {
      if (!isCasFailure(e)) {
        // NATS unreachable: not lost (nobody else may have written), but not proven either.
        return { ok: false, lost: false, validUntil: this.validUntil, reason: `lease not renewed: ${errorMessage(e)}` };
      }
      // Our previous renewal may have landed with its reply lost: then the key is still ours.
      let entry: KvEntry | null = null;
      try {
        entry = await kv.get(this.durable);
      } catch (ge) {
        return { ok: false, lost: false, validUntil: this.validUntil, reason: `lease not renewed: ${errorMessage(ge)}` };
      }
      const v = entry && entry.operation === "PUT" ? (entry.json() as LeaseValue) : null;
      if (entry && v && v.instance === this.me.instance && v.epoch === this.epoch && !v.released) {
        this.revision = entry.revision;
        return this.renewOnce();
      }
      this.lose(v ? `taken over by ${describeHolder(v)}` : `not renewed within its TTL of ${this.bucket.ttlMs} ms (process paused or NATS unreachable) and lapsed`);
      return this.lostProof();
    }
  }

  private lose(reason: string): void {
    if (this.lostReason) return;
    this.lostReason = `lost the lease on ${this.durable} (epoch ${this.epoch}): ${reason}`;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    log.error(this.lostReason + "; writing nothing more", { durable: this.durable });
    this.markLost(this.lostReason);
  }

  /** Hand the lease back at a clean stop so a standby takes over at once. */
  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.lostReason || !this.value) return;
    this.lostReason = "released";
    try {
      await this.bucket.kv.update(this.durable, JSON.stringify({ ...this.value, released: true, renewedAt: new Date().toISOString() }), this.revision);
    } catch (e) {
      log.debug("lease release failed (it lapses after its TTL)", { durable: this.durable, error: errorMessage(e) });
    }
  }
}
