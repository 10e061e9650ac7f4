/** Backend selection: the Config decides local vs S3; everything above sees only `Store`. */
import type { Config, S3Settings } from "../config";
import { LocalStore } from "./local";
import { S3Store } from "./s3";
import type { Store } from "./store";

export type { Store, ObjectInfo, PutOptions, VersionedObject } from "./store";
export { ObjectExistsError, ObjectNotFoundError, PreconditionFailedError } from "./store";
export { LocalStore } from "./local";
export { S3Store, S3UnavailableError, ConditionalWritesUnsupportedError } from "./s3";
export { updateJsonObject } from "./registry-cas";

export function openStore(cfg: Pick<Config, "useS3" | "s3" | "dataRoot">): Store {
  if (cfg.useS3) {
    if (!cfg.s3) throw new Error("S3 is on but the S3 settings are missing");
    return new S3Store(cfg.s3);
  }
  return new LocalStore(cfg.dataRoot);
}

export function localStore(dir: string): LocalStore {
  return new LocalStore(dir);
}

export function s3Store(settings: S3Settings): S3Store {
  return new S3Store(settings);
}
