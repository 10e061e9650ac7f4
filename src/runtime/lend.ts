/**
 * The running task's lender (TaskContext.lend) for code far below the task that has no
 * context in hand — a reader consolidating many Bronze hours, say. A batch worker installs
 * it once; on any other thread (the main thread, tests, tools) nothing is lent and the
 * caller does the work itself.
 */
import type { Lender } from "./tasks";

let current: Lender | null = null;

export function setThreadLender(lender: Lender | null): void {
  current = lender;
}

export const lendToIdleWorker: Lender = (task, payload) => (current ? current(task, payload) : Promise.resolve({ ran: false }));

/**
 * Work through `items` with every idle core of the pool: this thread takes them from the
 * front, `lenders` loops hand them from the back to idle workers (`lendItem` resolves true
 * when the item ran there). An item whose lend is declined or fails is done here, and that
 * lender stops: a real error then surfaces from this thread. Outside a pool worker all
 * items are done here, in order.
 */
export async function shareWork<T>(items: readonly T[], doHere: (item: T) => Promise<unknown>, lendItem: (item: T) => Promise<boolean>): Promise<void> {
  let front = 0, back = items.length;
  const here = async () => {
    while (front < back) await doHere(items[front++]!);
  };
  const lender = async () => {
    while (current && front < back) {
      const item = items[--back]!;
      if (!(await lendItem(item).catch(() => false))) {
        await doHere(item);
        return;
      }
    }
  };
  const lenders = current ? Math.max(0, Math.min(items.length - 1, (navigator.hardwareConcurrency || 1) - 1)) : 0;
  const settled = await Promise.allSettled([here(), ...Array.from({ length: lenders }, lender)]);
  for (const s of settled) if (s.status === "rejected") throw s.reason;
}
