/** The batch worker pool of this binary: workers/batch.ts running the tasks of tasks.ts. */
import { WorkerPool } from "../runtime/pool";
import { knownTaskNames } from "./tasks";

/** A pool of `size` batch workers (default: one per core) that refuses unknown task names up front. */
export function openBatchPool(size?: number): WorkerPool {
  return new WorkerPool({ size, knownTasks: knownTaskNames() });
}
