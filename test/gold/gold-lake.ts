/** Gold test helpers: a fixture lake with a built Silver version, and dataset tampering. */
import { readFileSync, writeFileSync } from "node:fs";
import { Frame } from "../../src/frame";
import { encodeParquet } from "../../src/parquet";
import { GoldCurator } from "../../src/gold/curator";
import { trainingSchemaFor } from "../../src/gold/schema";
import { SilverFeatureBuilder } from "../../src/silver/builder";
import { esPipelineManifest } from "../../src/silver/baselines";
import { sha256Bytes } from "../../src/silver/lineage";
import { FIXTURE_DATE, fixturePipeline, tempLake, type TempLake } from "../silver/builder/fixture-lake";

export { FIXTURE_DATE, tempLake };

export async function lakeWithSilver(dates = [FIXTURE_DATE]): Promise<{ lake: TempLake; silver: SilverFeatureBuilder; curator: GoldCurator }> {
  const lake = tempLake({ bronze: true, bookDates: dates.filter((d) => d !== FIXTURE_DATE) });
  const silver = new SilverFeatureBuilder(lake.root, { pipeline: await fixturePipeline((d) => (d === FIXTURE_DATE ? 107 : 30)) });
  const r = await silver.buildFeatureSet(esPipelineManifest(), dates);
  if (r.status !== "success") throw new Error(`silver build failed: ${r.errors.join("; ")}`);
  return { lake, silver, curator: new GoldCurator(lake.root, silver) };
}

/**
 * Replace a dataset's file with `frame` (written unsorted when asked, with the given column
 * types) and re-record its hash and row count, so only the property under test is broken.
 */
export function replaceDataset(curator: GoldCurator, name: string, frame: Frame, opts: { sort?: boolean; keepMetadata?: boolean; schema?: ReturnType<typeof trainingSchemaFor> } = {}): void {
  const schema = opts.schema ?? trainingSchemaFor(frame.columnNames);
  const bytes = encodeParquet(frame, { schema, sort: opts.sort ?? true });
  writeFileSync(curator.datasetPath(name), bytes);
  if (opts.keepMetadata) return;
  const meta = JSON.parse(readFileSync(curator.metadataPath(name), "utf8"));
  meta.lineage.sha256 = sha256Bytes(bytes);
  meta.signal_count = frame.numRows;
  meta.lineage.row_count = frame.numRows;
  meta.lineage.columns = schema.columns.map((c) => c.name);
  writeFileSync(curator.metadataPath(name), JSON.stringify(meta, null, 2));
}
