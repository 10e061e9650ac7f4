/**
 * Files that belong to an ingest flush which has not committed yet. Such a flush is undone
 * at the next start-up (its files deleted, its messages redelivered), so compacting its
 * rows would keep them twice: they are never compaction inputs.
 */
import { commitKey, type CommitRecord, type Intent } from "../ingest/common/commit";
import type { Store } from "../storage/store";
import { readJsonIfExists } from "../storage/store";

export async function uncommittedIngestKeys(store: Store): Promise<Set<string>> {
  const out = new Set<string>();
  const intents = (await store.list("_ingest/")).filter((o) => o.key.endsWith("/intent.json"));
  await Promise.all(
    intents.map(async (o) => {
      const intent = await readJson<Intent>(store, o.key);
      if (!intent) return;
      const consumer = o.key.slice("_ingest/".length, -"/intent.json".length);
      const commit = await readJson<CommitRecord>(store, commitKey(consumer));
      if (intent.flushId > (commit?.flushId ?? 0)) for (const k of intent.keys ?? []) out.add(k);
    }),
  );
  return out;
}

const readJson = readJsonIfExists;
