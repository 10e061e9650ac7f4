/**
 * Where the shared specs and the predecessor's golden fixtures live. They sit beside the
 * repo (`../shared`), but a clone can be anywhere: `$LAKE_SHARED_DIR` wins, then `shared/`
 * beside this checkout, then the workplace's `/work/shared`.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

function findShared(): string {
  const candidates = [process.env.LAKE_SHARED_DIR, resolve(import.meta.dir, "../../../shared"), "/work/shared"];
  for (const c of candidates) if (c && existsSync(join(c, "spec"))) return c;
  throw new Error(`shared specs and fixtures not found (tried ${candidates.filter(Boolean).join(", ")}); set LAKE_SHARED_DIR`);
}

export const SHARED_DIR = findShared();
/** The golden day: Bronze input and the predecessor's exact outputs. */
export const FIXTURE_DAY_A = join(SHARED_DIR, "fixtures/es-day-a");
export const specPath = (file: string): string => join(SHARED_DIR, "spec", file);
