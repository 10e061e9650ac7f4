/**
 * The sharing plan (share-plan.ts): from one view of the lease bucket, which consumer an
 * instance takes or hands back next. Played to a fixed point over every instance, the
 * consumers end up split evenly, pinned ones with their pinned instance, none unread.
 */
import { expect, test } from "bun:test";
import { nextAction, quotas, type Peer } from "../../src/ingest/main/share-plan";

const C = ["c1", "c2", "c3", "c4"];

/** Apply every instance's next action until nobody acts; returns the owners. */
function settle(peers: Peer[], owners: Map<string, string | null>, rounds = 50): Map<string, string | null> {
  for (let r = 0; r < rounds; r++) {
    let acted = false;
    for (const me of peers) {
      const a = nextAction({ me, peers, consumers: C, owners, freeSince: new Map(), busy: new Set(), now: 0, graceMs: 1_000 });
      if (!a) continue;
      acted = true;
      if ("take" in a) owners.set(a.take, me.instance);
      else owners.set(a.release, null);
    }
    if (!acted) return owners;
  }
  throw new Error("no fixed point");
}

const count = (owners: Map<string, string | null>, id: string) => [...owners.values()].filter((o) => o === id).length;

test("quotas split a pool evenly in instance-id order", () => {
  expect([...quotas([{ instance: "b", pinned: null }, { instance: "a", pinned: null }, { instance: "c", pinned: null }], 4)]).toEqual([["a", 2], ["b", 1], ["c", 1]]);
  expect([...quotas([{ instance: "a", pinned: null }, { instance: "p", pinned: ["c1"] }], 3)]).toEqual([["a", 3]]);
  // a presence key rewritten during the listing comes back twice: still one peer
  expect([...quotas([{ instance: "a", pinned: null }, { instance: "b", pinned: null }, { instance: "b", pinned: null }], 4)]).toEqual([["a", 2], ["b", 2]]);
});

test("two instances starting on free consumers split them 2/2", () => {
  const peers: Peer[] = [{ instance: "a", pinned: null }, { instance: "b", pinned: null }];
  const owners = settle(peers, new Map());
  expect(count(owners, "a")).toBe(2);
  expect(count(owners, "b")).toBe(2);
});

test("an instance that holds everything hands back to a newcomer until balanced, and nothing is left free", () => {
  const peers: Peer[] = [{ instance: "a", pinned: null }, { instance: "b", pinned: null }, { instance: "c", pinned: null }];
  const owners = settle(peers, new Map(C.map((d) => [d, "a"])));
  expect([count(owners, "a"), count(owners, "b"), count(owners, "c")].sort()).toEqual([1, 1, 2]);
  expect([...owners.values()].includes(null)).toBe(false);
});

test("a pinned consumer goes to its pinned instance; the rest stay balanced among the others", () => {
  const peers: Peer[] = [{ instance: "a", pinned: null }, { instance: "b", pinned: null }, { instance: "p", pinned: ["c2"] }];
  const owners = settle(peers, new Map(C.map((d) => [d, "a"])));
  expect(owners.get("c2")).toBe("p");
  expect(count(owners, "p")).toBe(1);
  expect([count(owners, "a"), count(owners, "b")].sort()).toEqual([1, 2]);
});

test("the survivor of two takes the dead one's consumers once it is no longer listed", () => {
  const owners = new Map<string, string | null>([["c1", "a"], ["c2", "a"], ["c3", null], ["c4", null]]);
  const alone = settle([{ instance: "a", pinned: null }], owners);
  expect(count(alone, "a")).toBe(4);
});

test("a consumer left free past the grace is taken even by an instance at its quota (a dead peer still listed)", () => {
  const peers: Peer[] = [{ instance: "a", pinned: null }, { instance: "dead", pinned: null }];
  const owners = new Map<string, string | null>([["c1", "a"], ["c2", "a"], ["c3", null], ["c4", null]]);
  const view = { me: peers[0]!, peers, consumers: C, owners, busy: new Set<string>(), graceMs: 1_000 };
  expect(nextAction({ ...view, freeSince: new Map([["c3", 0]]), now: 500 })).toBeNull();
  expect(nextAction({ ...view, freeSince: new Map([["c3", 0]]), now: 1_000 })).toMatchObject({ take: "c3" });
});

test("an over-quota instance does not hand back when no peer would take it", () => {
  const peers: Peer[] = [{ instance: "a", pinned: null }, { instance: "b", pinned: null }];
  const owners = new Map<string, string | null>([["c1", "a"], ["c2", "a"], ["c3", "a"], ["c4", "b"]]);
  // b holds 1 of its quota of 2: a hands one back; once b holds 2, a keeps its 2.
  expect(nextAction({ me: peers[0]!, peers, consumers: C, owners, freeSince: new Map(), busy: new Set(), now: 0, graceMs: 1_000 })).toMatchObject({ release: "c3" });
  owners.set("c3", "b");
  owners.set("c1", "a");
  expect(nextAction({ me: peers[0]!, peers, consumers: C, owners, freeSince: new Map(), busy: new Set(), now: 0, graceMs: 1_000 })).toBeNull();
});

test("a consumer whose lease lapsed while this instance still runs its lane is not taken again until the lane is let go", () => {
  // "a" held c1 and c2; its leases lapsed (NATS unreachable past the TTL), so the bucket names nobody,
  // but its c1 lane still holds the durable's directory lock until it notices and stops
  const peers: Peer[] = [{ instance: "a", pinned: null }];
  const owners = new Map<string, string | null>([["c1", null], ["c2", "a"], ["c3", "a"], ["c4", "a"]]);
  const view = { me: peers[0]!, peers, consumers: C, owners, freeSince: new Map(), busy: new Set<string>(), now: 0, graceMs: 1_000 };
  expect(nextAction({ ...view, held: new Set(["c1", "c2", "c3", "c4"]) })).toBeNull();
  // once the old lane is dropped, c1 is free to take again
  expect(nextAction({ ...view, held: new Set(["c2", "c3", "c4"]) })).toEqual({ take: "c1", reason: "free, and this instance holds 3 of its share of 4" });
  // a consumer held and still named for this instance is not busy: it can be handed back as usual
  const two: Peer[] = [{ instance: "a", pinned: null }, { instance: "b", pinned: null }];
  const all = new Map<string, string | null>(C.map((c) => [c, "a"]));
  expect(nextAction({ ...view, peers: two, owners: all, held: new Set(C) })).toMatchObject({ release: "c4" });
});
