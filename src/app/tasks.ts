/**
 * Every task the batch worker pool can run, by name: the runtime's built-ins plus the
 * libraries' batch work. To add a task, add ONE line here, loading its module lazily so a
 * worker only loads the code of the tasks it actually runs.
 *
 * The tests' tasks (src/runtime/test-tasks.ts: sleep, crash, fail, …) are known only while
 * LAKE_TEST_FAULTS includes `worker-tasks` (src/core/test-faults.ts).
 */
import { testFaults } from "../core/test-faults";
import { BUILTIN_TASKS, lazyTask, type TaskFn } from "../runtime/tasks";
import { TEST_TASKS } from "../runtime/test-tasks";

export const TASKS: Record<string, TaskFn> = {
  ...BUILTIN_TASKS,
  "silver.buildDate": lazyTask(() => import("../silver/build-date"), "buildDateTask"),
  "silver.lookaheadDate": lazyTask(() => import("../silver/lookahead/date-task"), "lookaheadDateTask"),
  "compact.run": lazyTask(() => import("../compact/task"), "compactTask"),
  "compact.mergeHour": lazyTask(() => import("../compact/task"), "mergeHourTask"),
  "dbn.encodeFiles": lazyTask(() => import("../dbn/encode-task"), "encodeFilesTask"),
  "read.consolidateHour": lazyTask(() => import("../read/consolidate-task"), "consolidateHourTask"),
};

/** The task called `name`, or undefined. */
export function findTask(name: string): TaskFn | undefined {
  if (Object.hasOwn(TASKS, name)) return TASKS[name];
  if (testFaults().workerTasks && Object.hasOwn(TEST_TASKS, name)) return TEST_TASKS[name];
  return undefined;
}

/** Names `findTask` knows right now (the pool refuses others up front). */
export function knownTaskNames(): string[] {
  return [...Object.keys(TASKS), ...(testFaults().workerTasks ? Object.keys(TEST_TASKS) : [])].sort();
}
