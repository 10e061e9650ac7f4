/**
 * Test fixtures vendored into the repository (test/fixtures/), so a clone anywhere runs its
 * tests with nothing beside it.
 */
import { join, resolve } from "node:path";

export const FIXTURES_DIR = resolve(import.meta.dir, "../test/fixtures");
/** The golden day: Bronze input and the predecessor's exact Silver output (see its README). */
export const FIXTURE_DAY_A = join(FIXTURES_DIR, "es-day-a");
/** A Silver FeatureManifest exactly as the predecessor's PyYAML writer lays it out (docs/contracts.md §4.2). */
export const PREDECESSOR_MANIFEST_YAML = join(FIXTURES_DIR, "silver-manifest/v1.0_mechanics_only.yaml");
