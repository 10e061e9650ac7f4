/** What the distributed-build tests share: comparing a published version with a local build, pausing a worker mid-task. */
import { expect } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { LakeProcess } from "../../testkit/lake-process";

/** The published version equals the reference: same date files byte for byte, same lineage outputs. */
export function expectIdentical(ref: string, out: string, dates: string[]): void {
  const dateDirs = (d: string) => readdirSync(d).filter((x) => x.startsWith("date=")).sort();
  expect(dateDirs(out)).toEqual(dateDirs(ref));
  expect(dateDirs(out).length).toBe(dates.length);
  for (const dd of dateDirs(ref)) {
    const files = readdirSync(join(ref, dd));
    expect(readdirSync(join(out, dd))).toEqual(files);
    for (const f of files) expect(Bun.hash(readFileSync(join(out, dd, f)))).toBe(Bun.hash(readFileSync(join(ref, dd, f))));
  }
  const lineage = (d: string) => {
    const { built_at: _b, ...rest } = JSON.parse(readFileSync(join(d, "lineage.json"), "utf8"));
    return rest;
  };
  expect(lineage(out)).toEqual(lineage(ref));
  const manifest = (d: string) => readFileSync(join(d, "manifest.yaml"), "utf8").replace(/^(\s*)(created_at|built_at): .*$/gm, "$1$2: -");
  expect(manifest(out)).toBe(manifest(ref));
  expect(readFileSync(join(out, "validation.json"), "utf8")).toBe(readFileSync(join(ref, "validation.json"), "utf8"));
}

/**
 * Start the coordinator with only `paused` pulling, so it surely holds a task, then SIGSTOP it
 * mid-task and let `other` take over (its task after the ack wait).
 */
export async function pauseMidTask(paused: LakeProcess, other: LakeProcess, startCoordinator: () => LakeProcess): Promise<LakeProcess> {
  await Promise.all([paused.waitForLog(/lake worker ready/), other.waitForLog(/lake worker ready/)]);
  other.proc.kill("SIGSTOP");
  const coordinator = startCoordinator();
  await paused.waitForLog(/task started/, 60_000);
  paused.proc.kill("SIGSTOP");
  other.proc.kill("SIGCONT");
  return coordinator;
}

/** Resume the paused worker once the build is over: its late result is discarded; both then stop cleanly. */
export async function resumeLate(paused: LakeProcess, other: LakeProcess): Promise<void> {
  paused.proc.kill("SIGCONT");
  await paused.waitForLog(/late result discarded/, 60_000);
  paused.proc.kill("SIGTERM");
  other.proc.kill("SIGTERM");
  expect(await paused.proc.exited).toBe(0);
  expect(await other.proc.exited).toBe(0);
}
