/**
 * Which consumer a sharing `lake serve` takes or hands back next (share.ts runs it every
 * tick on what the lease bucket says). A pure function, so every instance reaches the same
 * answer from the same view and the split is stable:
 *
 *  - an instance pinned with `--consumers` wants exactly those and nothing else;
 *  - every other sharing instance wants the rest: the consumers nobody live pinned, split
 *    evenly in instance-id order (the first `pool % n` instances get one more);
 *  - an instance over its quota hands one back only when a live peer is under its own (a
 *    peer that would take it), so nothing is released into a void;
 *  - a free consumer that stayed free for `graceMs` (the peer that should take it is gone
 *    but still listed) is taken by anyone who may hold it: no consumer is left unread.
 */

export interface Peer {
  instance: string;
  /** Durables this instance is pinned to; null = shares whatever is left. */
  pinned: readonly string[] | null;
}

export interface ShareView {
  me: Peer;
  /** Every live sharing instance, including `me`. */
  peers: readonly Peer[];
  /** Durables in name order. */
  consumers: readonly string[];
  /** Durable → owning instance (any instance, sharing or not); absent or null = free. */
  owners: ReadonlyMap<string, string | null>;
  /** Durable → when this instance first saw it free in its current free spell. */
  freeSince: ReadonlyMap<string, number>;
  /** Durables this instance is taking or handing back right now. */
  busy: ReadonlySet<string>;
  /**
   * Durables whose lane (and directory lock) this instance still holds. One the bucket no
   * longer names this instance for — its lease lapsed or was taken over — is being let go: it
   * counts as busy until its lane has stopped, as taking it again meanwhile would wait on the
   * old lane's directory lock, which the old lane keeps until it is dropped.
   */
  held?: ReadonlySet<string>;
  now: number;
  graceMs: number;
}

export type ShareAction = { take: string; reason: string } | { release: string; reason: string } | null;

/** The quota of each unpinned sharing peer over `pool` consumers, in instance-id order. */
export function quotas(peers: readonly Peer[], pool: number): Map<string, number> {
  const sharers = [...new Set(peers.filter((p) => !p.pinned).map((p) => p.instance))].sort();
  const n = sharers.length;
  return new Map(sharers.map((id, i) => [id, Math.floor(pool / n) + (i < pool % n ? 1 : 0)]));
}

export function nextAction(v: ShareView): ShareAction {
  const pinnedByPeers = new Map<string, string>();
  for (const p of v.peers) if (p.pinned && p.instance !== v.me.instance) for (const d of p.pinned) pinnedByPeers.set(d, p.instance);
  const owner = (d: string) => v.owners.get(d) ?? null;
  const mine = v.consumers.filter((d) => owner(d) === v.me.instance);
  const busy = new Set([...v.busy, ...[...(v.held ?? [])].filter((d) => owner(d) !== v.me.instance)]);

  // A consumer a live peer is pinned to goes back to it.
  if (!v.me.pinned) {
    const d = mine.find((x) => pinnedByPeers.has(x) && !busy.has(x));
    if (d) return { release: d, reason: `pinned by instance ${pinnedByPeers.get(d)}` };
  }

  const eligible = v.me.pinned ? v.consumers.filter((d) => v.me.pinned!.includes(d)) : v.consumers.filter((d) => !pinnedByPeers.has(d));
  const quota = v.me.pinned ? eligible.length : (quotas(v.peers, eligible.length).get(v.me.instance) ?? 0);
  const held = mine.length + [...busy].filter((d) => owner(d) !== v.me.instance).length;

  const free = eligible.filter((d) => owner(d) === null && !busy.has(d));
  for (const d of free) {
    if (held < quota) return { take: d, reason: `free, and this instance holds ${held} of its share of ${quota}` };
    const since = v.freeSince.get(d);
    if (since !== undefined && v.now - since >= v.graceMs) return { take: d, reason: `free for ${Math.round((v.now - since) / 1000)} s with nobody taking it` };
  }

  if (!v.me.pinned && mine.length > quota) {
    const q = quotas(v.peers, eligible.length);
    const hungry = v.peers.find((p) => !p.pinned && p.instance !== v.me.instance && v.consumers.filter((d) => owner(d) === p.instance).length < (q.get(p.instance) ?? 0));
    const d = [...mine].reverse().find((x) => !busy.has(x));
    if (hungry && d) return { release: d, reason: `balancing: this instance holds ${mine.length}, its share is ${quota}; instance ${hungry.instance} holds fewer than its share` };
  }
  return null;
}
