/**
 * A separate publisher process: `count` times, writes a 4-file tree whose every file names
 * this writer and round, and publishes it as the next generation of `base` with --force
 * semantics (compare-and-swap against whatever is current).
 *   bun publish-many.ts <localRoot | s3-settings-json> <base> <writer> <count> <workDir>
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LocalStore, S3Store, type Store } from "../../../src/storage";
import { publishGeneration } from "../../../src/storage/generations";

const [where, base, writer, count, work] = process.argv.slice(2) as [string, string, string, string, string];
const store: Store = where.startsWith("{") ? new S3Store(JSON.parse(where)) : new LocalStore(where);
for (let i = 0; i < Number(count); i++) {
  const dir = join(work, `${writer}-${i}`);
  mkdirSync(join(dir, "date=2026-01-02"), { recursive: true });
  const tag = `${writer}-${i}\n`;
  for (const f of ["manifest.yaml", "validation.json", "lineage.json", "date=2026-01-02/part-0.parquet"]) writeFileSync(join(dir, f), tag.repeat(f.endsWith(".parquet") ? 5000 : 1));
  await publishGeneration(store, base, dir, { mode: { kind: "force" }, singleWriter: process.env.LAKE_SINGLE_WRITER === "true" });
  console.log(`published ${tag.trim()}`);
}
