/**
 * A separate promoter process: `count` forced promotions of one Silver version to dataset
 * `ds` of a bucket lake whose bucket is a local directory (local disk enforces create-only
 * and compare-and-swap, which the S3 emulators here do not). Each promotion's notes name
 * the writer and round.
 *   bun promote-many.ts <bucketDir> <silverRoot> <workRoot> <writer> <count>
 */
import { LocalStore } from "../../../src/storage";
import { promoteInBucket } from "../../../src/app/bucket-gold";
import { SilverFeatureBuilder } from "../../../src/silver/builder";

const [bucket, silverRoot, work, writer, count] = process.argv.slice(2) as [string, string, string, string, string];
const t = { store: new LocalStore(bucket), singleWriter: false };
const silver = new SilverFeatureBuilder(silverRoot);
for (let i = 0; i < Number(count); i++) {
  const r = await promoteInBucket(t, work, silver, "es_pipeline", { datasetName: "ds", force: true, notes: `${writer}-${i}` });
  if (r.status !== "success") throw new Error(JSON.stringify(r));
}
