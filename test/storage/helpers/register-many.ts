/**
 * A separate writer process for the concurrency test: appends `count` entries named
 * `{writer}-{i}` to a JSON registry through updateJsonObject (no lock, compare-and-swap).
 *   bun register-many.ts <localRoot> <key> <writer> <count>
 */
import { LocalStore, updateJsonObject } from "../../../src/storage";

const [root, key, writer, count] = process.argv.slice(2) as [string, string, string, string];
const store = new LocalStore(root);
for (let i = 0; i < Number(count); i++) {
  const id = `${writer}-${i}`;
  await updateJsonObject(
    store,
    key,
    () => ({ entries: [] as string[] }),
    (cur) => ({ value: { entries: cur.entries.includes(id) ? cur.entries : [...cur.entries, id] }, result: undefined }),
  );
}
