/**
 * A directory published into a store as one atomic generation (a Silver version, a Gold
 * training set): every file is uploaded under a prefix no reader looks at,
 * `{base}/_gen/{generation}/…`, and the generation becomes visible by ONE conditional write
 * of the pointer `{base}/_generation.json` that names it and lists its files. A reader reads
 * the pointer first, so it sees the previous generation or the whole new one, never a mix;
 * a writer killed before the pointer write leaves only unreferenced objects, which
 * `sweepGenerations` removes once they are older than a grace period.
 *
 * Creating the pointer is create-only (`If-None-Match: *`); replacing it is compare-and-swap
 * (`If-Match`) against the pointer the writer read. A store that does not enforce those
 * (the probe said no) is refused unless the operator declared a single writer.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { LakeError } from "../errors";
import { testFaults } from "../core/test-faults";
import { ConditionalWritesUnsupportedError } from "./s3";
import { SINGLE_WRITER_HINT } from "./registry-cas";
import { ObjectExistsError, PreconditionFailedError, type Store } from "./store";

export const POINTER_NAME = "_generation.json";
export const GENERATIONS_DIR = "_gen";
/** Marker in a pulled local copy: which generation it holds (never published). */
export const LOCAL_MARKER = ".generation";

export interface PublishedFile {
  path: string;
  size: number;
  sha256: string;
}

export interface GenerationPointer {
  format: 1;
  generation: string;
  published_at: string;
  files: PublishedFile[];
}

export interface CurrentGeneration {
  pointer: GenerationPointer;
  etag: string;
}

/**
 * What the publisher expects to replace: `create` — nothing (an existing pointer is an
 * error); `replace` — exactly the pointer with this tag (null: none), so a build based on one
 * generation cannot silently drop another writer's; `force` — whatever is current.
 */
export type PublishMode = { kind: "create" } | { kind: "replace"; etag: string | null } | { kind: "force" };

export interface PublishOptions {
  mode: PublishMode;
  /** The operator vouches that no other writer exists: allowed on stores without conditional writes. */
  singleWriter?: boolean;
}

export interface PublishResult {
  generation: string;
  replaced: string | null;
  files: number;
  bytes: number;
}

export class GenerationExistsError extends LakeError {
  constructor(base: string, generation: string) {
    super(`${base} is already published (generation ${generation}); pass --force to replace it`, 1);
    this.name = "GenerationExistsError";
  }
}

export class GenerationChangedError extends LakeError {
  constructor(base: string) {
    super(`${base} was published by another writer while this one worked; nothing of this run is visible — run it again`, 1);
    this.name = "GenerationChangedError";
  }
}

export const pointerKey = (base: string) => `${base}/${POINTER_NAME}`;
export const generationPrefix = (base: string, gen: string) => `${base}/${GENERATIONS_DIR}/${gen}/`;

/** Sortable by time, unique across machines. */
export function newGeneration(now = Date.now()): string {
  return `${now.toString(36).padStart(9, "0")}-${randomBytes(5).toString("hex")}`;
}

export async function readGeneration(store: Store, base: string): Promise<CurrentGeneration | null> {
  const v = await store.getVersioned(pointerKey(base));
  if (!v) return null;
  return { pointer: JSON.parse(new TextDecoder().decode(v.data)) as GenerationPointer, etag: v.etag };
}

/** Refuse a multi-writer operation on a store that cannot arbitrate one, unless vouched for. */
export async function requireConditionalWrites(store: Store, singleWriter: boolean | undefined): Promise<boolean> {
  if (await store.conditionalWrites()) return true;
  if (singleWriter) return false;
  throw new ConditionalWritesUnsupportedError(store.root, SINGLE_WRITER_HINT);
}

/** Every regular file under `dir` (relative `/` paths, sorted), skipping the local marker. */
export function treeFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && !(d === dir && e.name === LOCAL_MARKER)) out.push(relative(dir, p).split(sep).join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Upload `localDir` as a new generation of `base` and make it current. Throws
 * GenerationExistsError / GenerationChangedError when the mode's expectation fails; the
 * uploaded objects are then swept like any abandoned staging.
 */
export async function publishGeneration(store: Store, base: string, localDir: string, opts: PublishOptions): Promise<PublishResult> {
  const cas = await requireConditionalWrites(store, opts.singleWriter);
  const before = await readGeneration(store, base);
  if (opts.mode.kind === "create" && before) throw new GenerationExistsError(base, before.pointer.generation);
  if (opts.mode.kind === "replace" && (before?.etag ?? null) !== opts.mode.etag) throw new GenerationChangedError(base);

  const generation = newGeneration();
  const files: PublishedFile[] = [];
  let bytes = 0;
  for (const rel of treeFiles(localDir)) {
    const data = readFileSync(join(localDir, ...rel.split("/")));
    await store.put(generationPrefix(base, generation) + rel, data);
    files.push({ path: rel, size: data.byteLength, sha256: createHash("sha256").update(data).digest("hex") });
    bytes += data.byteLength;
    faultAfterUpload(files.length);
  }
  const pointer: GenerationPointer = { format: 1, generation, published_at: new Date().toISOString(), files };
  const body = JSON.stringify(pointer, null, 1) + "\n";

  let current = before;
  for (let attempt = 1; ; attempt++) {
    try {
      await putPointer(store, base, body, current?.etag ?? null, cas);
      return { generation, replaced: current?.pointer.generation ?? null, files: files.length, bytes };
    } catch (e) {
      if (!(e instanceof PreconditionFailedError || e instanceof ObjectExistsError)) throw e;
      const now = await readGeneration(store, base);
      if (opts.mode.kind === "create" && now) throw new GenerationExistsError(base, now.pointer.generation);
      if (opts.mode.kind === "replace") throw new GenerationChangedError(base);
      if (attempt >= 50) throw new GenerationChangedError(base);
      current = now;
      await Bun.sleep(5 + Math.random() * 20 * attempt);
    }
  }
}

/** LAKE_TEST_FAULTS=publish-kill=n: die right after the n-th object of a publication, before it is visible. */
export function faultAfterUpload(uploaded: number): void {
  const kill = testFaults().publishKill;
  if (kill && uploaded === kill.at) process.kill(process.pid, "SIGKILL");
}

async function putPointer(store: Store, base: string, body: string, expected: string | null, cas: boolean): Promise<void> {
  const key = pointerKey(base);
  if (expected === null) return store.put(key, body, { contentType: "application/json" });
  if (cas) return store.put(key, body, { ifMatch: expected, contentType: "application/json" });
  // single writer on a store without compare-and-swap: check, then put
  const now = await store.getVersioned(key);
  if (now?.etag !== expected) throw new PreconditionFailedError(key);
  await store.put(key, body, { overwrite: true, contentType: "application/json" });
}

/**
 * Make `localDir` a copy of the current generation of `base` (downloaded beside it, then
 * renamed into place, so a local reader never sees a mix either). Returns the generation
 * held locally afterwards, or null when nothing is published (the local copy is removed).
 */
export async function pullGeneration(store: Store, base: string, localDir: string, current?: CurrentGeneration | null): Promise<CurrentGeneration | null> {
  const cur = current === undefined ? await readGeneration(store, base) : current;
  if (!cur) {
    rmSync(localDir, { recursive: true, force: true });
    return null;
  }
  if (localGeneration(localDir) === cur.pointer.generation) return cur;
  const parent = dirname(localDir);
  const name = localDir.slice(parent.length + 1);
  const tmp = join(parent, `.${name}.pull-${process.pid}-${randomBytes(3).toString("hex")}`);
  try {
    for (const f of cur.pointer.files) {
      const data = await store.get(generationPrefix(base, cur.pointer.generation) + f.path);
      if (createHash("sha256").update(data).digest("hex") !== f.sha256) throw new LakeError(`${base}: ${f.path} of generation ${cur.pointer.generation} does not match its pointer`);
      const p = join(tmp, ...f.path.split("/"));
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, data);
    }
    writeFileSync(join(tmp, LOCAL_MARKER), cur.pointer.generation + "\n");
    const old = `${tmp}.old`;
    let hadOld = true;
    try {
      renameSync(localDir, old);
    } catch {
      hadOld = false;
    }
    mkdirSync(parent, { recursive: true });
    renameSync(tmp, localDir);
    if (hadOld) rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return cur;
}

export function localGeneration(localDir: string): string | null {
  try {
    return readFileSync(join(localDir, LOCAL_MARKER), "utf8").trim() || null;
  } catch {
    return null;
  }
}

/** Record that `localDir` now holds `generation` (after publishing it from there). */
export function markLocalGeneration(localDir: string, generation: string): void {
  writeFileSync(join(localDir, LOCAL_MARKER), generation + "\n");
}

/**
 * Delete generations of `base` the pointer does not name whose newest object is older than
 * `graceMs`: abandoned staging of killed writers, losers of a race, and replaced generations
 * (kept for the grace period so a reader that read the old pointer can finish).
 */
export async function sweepGenerations(store: Store, base: string, graceMs: number, now = Date.now()): Promise<string[]> {
  const cur = await readGeneration(store, base);
  return sweepUnreferenced(store, `${base}/${GENERATIONS_DIR}/`, (gen) => gen === cur?.pointer.generation, graceMs, now);
}

/**
 * Under `prefix`, each first path segment is a generation: delete those `referenced` says no
 * to whose newest object is older than `graceMs`. Returns the deleted generations, sorted.
 */
export async function sweepUnreferenced(store: Store, prefix: string, referenced: (generation: string) => boolean, graceMs: number, now = Date.now()): Promise<string[]> {
  const byGen = new Map<string, { keys: string[]; newest: number }>();
  for (const o of await store.list(prefix)) {
    const gen = o.key.slice(prefix.length).split("/")[0]!;
    const g = byGen.get(gen) ?? { keys: [], newest: 0 };
    g.keys.push(o.key);
    g.newest = Math.max(g.newest, o.mtimeMs);
    byGen.set(gen, g);
  }
  const removed: string[] = [];
  for (const [gen, g] of byGen) {
    if (referenced(gen) || now - g.newest < graceMs) continue;
    for (const k of g.keys) await store.delete(k);
    removed.push(gen);
  }
  return removed.sort();
}

/** Size on disk of a local tree (what a publish uploads). */
export function treeBytes(dir: string): number {
  return treeFiles(dir).reduce((s, rel) => s + statSync(join(dir, ...rel.split("/"))).size, 0);
}
