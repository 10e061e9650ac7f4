/**
 * Child process for the crash test: LocalStore.put of large objects `obj/<i>` into the given
 * root, one after another, until killed. Object i is `size` bytes of the byte value i % 251,
 * so the parent can check any object it sees for completeness.
 *
 *   bun test/storage/helpers/put-forever.ts <root> <size-bytes>
 */
import { LocalStore } from "../../../src/storage/local";

const [root, size] = [process.argv[2]!, Number(process.argv[3])];
const store = new LocalStore(root);
for (let i = 0; ; i++) {
  await store.put(`obj/${i}`, new Uint8Array(size).fill(i % 251));
  console.log(`put obj/${i}`);
}
