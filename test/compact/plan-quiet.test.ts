/**
 * planCompaction's quietMs (what `lake serve` sets): a closed hour that still receives files —
 * a backlog being drained into it — is left for a later pass; once quiet it is planned.
 */
import { expect, test } from "bun:test";
import { utimesSync } from "node:fs";
import { join } from "node:path";
import { planCompaction } from "../../src/compact/plan";
import { localStore } from "../../src/storage/index";
import { realtimeDay, tempDir } from "./helpers";

test("hours with a file younger than quietMs are left for later, then planned", async () => {
  using dir = tempDir();
  const store = localStore(dir.path);
  await realtimeDay(store, 900);
  const all = await planCompaction(store, { graceMs: 0 });
  expect(all.hours.length).toBeGreaterThan(0);
  // the files were just written: every hour is busy
  const busy = await planCompaction(store, { graceMs: 0, quietMs: 60_000 });
  expect(busy.hours).toHaveLength(0);
  expect(busy.busyHours).toBe(all.hours.length);
  // one hour goes quiet (its files are an hour old): only it is planned
  const quiet = all.hours[0]!;
  const old = new Date(Date.now() - 3_600_000);
  for (const f of quiet.inputs) utimesSync(join(dir.path, f.key), old, old);
  const later = await planCompaction(store, { graceMs: 0, quietMs: 60_000 });
  expect(later.hours.map((h) => h.dir)).toEqual([quiet.dir]);
  // without quietMs (lake compact) nothing changes
  expect((await planCompaction(store, { graceMs: 0 })).hours).toHaveLength(all.hours.length);
});
