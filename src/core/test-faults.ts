/**
 * LAKE_TEST_FAULTS: the one gate for hooks that only tests may use. Unset (production), the
 * product has no fault injection and no test-only worker tasks; `lake doctor` fails while it
 * is set, so a machine left with it on is noticed.
 *
 *   LAKE_TEST_FAULTS=worker-tasks                      the batch pool also runs the test.* tasks
 *   LAKE_TEST_FAULTS=ingest-kill=any@0.15,seed=42      ingest SIGKILLs itself at commit steps
 *   LAKE_TEST_FAULTS=compact-kill=after-record#3       compaction SIGKILLs itself after the 3rd record
 *   LAKE_TEST_FAULTS=switch-kill=after-output#5        a day switch SIGKILLs itself after its 5th output
 *   LAKE_TEST_FAULTS=publish-kill=3                    a generation publish SIGKILLs itself after its 3rd object
 *
 * Tokens are comma-separated. `ingest-kill=<point>@<probability>` picks the commit-protocol
 * step (after-intent | after-file | after-commit | any) and the chance of dying at each such
 * step; `seed=<uint32>` makes those draws reproducible. `compact-kill=<step>[#n]` kills a
 * compaction right after the n-th time (default 1st) it completes that protocol step;
 * `switch-kill=<step>[#n]` does the same for a day switch (`lake simulate --overwrite`). An unknown token is an error, so a
 * typo cannot silently disable the fault a test relies on.
 */
import { ConfigError } from "../errors";
import { mulberry32 } from "./mulberry32";

export const TEST_FAULTS_VAR = "LAKE_TEST_FAULTS";

export const INGEST_KILL_POINTS = ["after-intent", "after-file", "after-commit"] as const;
export type IngestKillPoint = (typeof INGEST_KILL_POINTS)[number];

export const COMPACT_KILL_STEPS = ["after-merge", "after-output", "after-record", "after-delete"] as const;
export type CompactKillStep = (typeof COMPACT_KILL_STEPS)[number];

export const SWITCH_KILL_STEPS = ["after-output", "after-commit", "after-hour-record", "after-delete"] as const;
export type SwitchKillStep = (typeof SWITCH_KILL_STEPS)[number];

export interface TestFaults {
  /** The variable's value as set, or null when unset/empty (the production case). */
  readonly raw: string | null;
  /** Register the test.* tasks in the batch worker pool. */
  readonly workerTasks: boolean;
  /** SIGKILL the ingest process at a commit-protocol step with this probability. */
  readonly ingestKill: { point: IngestKillPoint | "any"; probability: number } | null;
  readonly seed: number | null;
  /** SIGKILL a compaction after the n-th completion of this protocol step. */
  readonly compactKill: { step: CompactKillStep; at: number } | null;
  /** SIGKILL a day switch after the n-th completion of this protocol step. */
  readonly switchKill: { step: SwitchKillStep; at: number } | null;
  /** SIGKILL a generation publish after it uploaded this many objects (before its pointer). */
  readonly publishKill: { at: number } | null;
}

const NONE: TestFaults = { raw: null, workerTasks: false, ingestKill: null, seed: null, compactKill: null, switchKill: null, publishKill: null };

export function parseTestFaults(raw: string | undefined): TestFaults {
  const text = raw?.trim();
  if (!text) return NONE;
  let workerTasks = false;
  let ingestKill: TestFaults["ingestKill"] = null;
  let seed: number | null = null;
  let compactKill: TestFaults["compactKill"] = null;
  let switchKill: TestFaults["switchKill"] = null;
  let publishKill: TestFaults["publishKill"] = null;
  const bad = (token: string, why: string) => new ConfigError(`${TEST_FAULTS_VAR}: ${why} in "${token}" (see src/core/test-faults.ts)`, 1);
  for (const token of text.split(",").map((t) => t.trim()).filter(Boolean)) {
    const [name, value] = token.split("=", 2) as [string, string | undefined];
    if (name === "worker-tasks" && value === undefined) workerTasks = true;
    else if (name === "ingest-kill" && value !== undefined) {
      const [point, p] = value.split("@", 2) as [string, string | undefined];
      if (point !== "any" && !(INGEST_KILL_POINTS as readonly string[]).includes(point)) throw bad(token, `unknown kill point "${point}"`);
      const probability = p === undefined ? 0.05 : Number(p);
      if (!(probability > 0 && probability <= 1)) throw bad(token, "probability must be in (0, 1]");
      ingestKill = { point: point as IngestKillPoint | "any", probability };
    } else if (name === "compact-kill" && value !== undefined) {
      compactKill = stepKill(token, value, COMPACT_KILL_STEPS, "compaction");
    } else if (name === "switch-kill" && value !== undefined) {
      switchKill = stepKill(token, value, SWITCH_KILL_STEPS, "day switch");
    } else if (name === "publish-kill" && value !== undefined && /^[1-9]\d*$/.test(value)) publishKill = { at: Number(value) };
    else if (name === "seed" && value !== undefined && /^\d+$/.test(value) && Number(value) <= 0xffffffff) seed = Number(value);
    else throw bad(token, "unknown or malformed token");
  }
  return { raw: text, workerTasks, ingestKill, seed, compactKill, switchKill, publishKill };

  function stepKill<S extends string>(token: string, value: string, steps: readonly S[], what: string): { step: S; at: number } {
    const [step, n] = value.split("#", 2) as [string, string | undefined];
    if (!(steps as readonly string[]).includes(step)) throw bad(token, `unknown ${what} step "${step}"`);
    const at = n === undefined ? 1 : Number(n);
    if (!Number.isInteger(at) || at < 1) throw bad(token, "the occurrence after # must be a positive integer");
    return { step: step as S, at };
  }
}

let cached: { raw: string | undefined; faults: TestFaults } | undefined;

/** The current gate (re-read when the variable changes: workers and tests set it late). */
export function testFaults(): TestFaults {
  const raw = process.env[TEST_FAULTS_VAR];
  if (!cached || cached.raw !== raw) cached = { raw, faults: parseTestFaults(raw) };
  return cached.faults;
}

/** Seeded draws (mulberry32), so a failing fault run can be replayed. */
export const seededRandom = mulberry32;
