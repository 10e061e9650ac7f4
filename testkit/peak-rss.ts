/**
 * A child process's own peak resident memory, for memory-bound tests and benches.
 *
 * `resourceUsage().maxRSS` is not it on Linux: a child started by posix_spawn inherits the
 * spawning process's high-water mark at exec, so a big test process makes every child look
 * big. Instead this polls the child's `/proc/<pid>/status` VmHWM (the kernel's own peak of
 * the child's address space, monotone) until it exits; the last reading is the peak up to a
 * few ms before exit. Without /proc (not Linux) it falls back to maxRSS, an upper bound.
 */
import type { Subprocess } from "bun";
import { readFileSync } from "node:fs";

export async function peakRssBytes(proc: Subprocess, everyMs = 20): Promise<number> {
  let peak = 0;
  let readable = process.platform === "linux";
  const sample = () => {
    if (!readable) return;
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, "utf8"));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {
      /* exited between polls */
    }
  };
  const timer = setInterval(sample, everyMs);
  sample();
  try {
    await proc.exited;
  } finally {
    clearInterval(timer);
  }
  if (peak === 0) {
    readable = false;
    peak = Number(proc.resourceUsage()?.maxRSS ?? 0);
  }
  return peak;
}
