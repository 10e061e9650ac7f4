/**
 * Batch commands run with Bun's allocator (mimalloc) keeping the memory it frees instead of
 * handing it back to the kernel. The batch paths allocate and drop buffers of tens of MB per
 * Parquet file (an hour of MBP-10 columns, pages, file bytes); returned to the kernel, each
 * comes back as fresh pages, and every page is a fault the kernel must zero. On a simulated
 * 11M-row day that was 140k faults and ~1.3 s of system time of 11.5 CPU-s on a box where
 * faults were dear (on a cheap-fault box it changes little); measured, see docs/runtime.md
 * ("The allocator"), with what it costs in memory.
 *
 * mimalloc reads its options from the environment once, when the process starts, so the
 * setting (MIMALLOC_PURGE_DELAY=-1: never purge) needs a process that starts with it: the
 * command replaces itself with the same executable and arguments plus that variable
 * (execve: same PID, same open files, signals and exit status go to the same process).
 * An explicit MIMALLOC_PURGE_DELAY is respected; any failure leaves the command running as is.
 *
 * Not for `lake serve` and the other long-running or quick commands: a service should give
 * memory back after a burst, and a 50 ms command should not pay a second start.
 */
import { readFileSync } from "node:fs";

export const PURGE_ENV = "MIMALLOC_PURGE_DELAY";

/** Commands whose work is allocation-heavy batch encoding or decoding. */
const BATCH = new Set(["simulate", "import", "compact", "demo", "silver"]);
/** Subcommands of those that only read a little (a second start would double their time). */
const QUICK = new Set(["list", "show", "compare", "status", "experiments", "help"]);

/** Whether `args` (after the executable and script) name a batch command. */
export function isBatchCommand(args: readonly string[]): boolean {
  if (args.includes("--help") || args.includes("-h") || args.includes("--dry-run")) return false;
  // a flag's value may stand in second place (`lake silver --dates D`): that is still a build
  const positional = args.filter((a) => !a.startsWith("-"));
  return BATCH.has(positional[0] ?? "") && !QUICK.has(positional[1] ?? "");
}

/** Replace this process by itself with the allocator setting, when that applies; returns only when it does not. */
export function reexecForBatch(args: readonly string[]): void {
  if (isBatchCommand(args)) reexecWithBatchAllocator();
}

/**
 * The same for any process doing batch work (benchmarks measure the lake's batch paths as
 * the commands run them); returns only when no restart happens.
 */
export function reexecWithBatchAllocator(): void {
  if (process.platform !== "linux" || process.env[PURGE_ENV] !== undefined) return;
  try {
    const argv = readFileSync("/proc/self/cmdline").toString("utf8").split("\0");
    if (argv.at(-1) === "") argv.pop();
    const env = Object.entries({ ...process.env, [PURGE_ENV]: "-1" }).map(([k, v]) => `${k}=${v ?? ""}`);
    execve("/proc/self/exe", argv, env);
  } catch {
    // no libc, no /proc: the command runs with the allocator's defaults
  }
}

function execve(path: string, argv: readonly string[], env: readonly string[]): void {
  const { dlopen, FFIType, ptr } = require("bun:ffi") as typeof import("bun:ffi");
  const libc = dlopen("libc.so.6", { execve: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 } });
  const cstr = (s: string) => Buffer.from(`${s}\0`, "utf8");
  const table = (items: readonly string[]) => {
    const bufs = items.map(cstr);
    const ptrs = new BigUint64Array(bufs.length + 1); // NULL-terminated
    bufs.forEach((b, i) => (ptrs[i] = BigInt(ptr(b))));
    return { bufs, ptrs };
  };
  const file = cstr(path);
  const a = table(argv);
  const e = table(env);
  // returns only on failure (the buffers above stay referenced until then)
  libc.symbols.execve(ptr(file), ptr(a.ptrs), ptr(e.ptrs));
  void [file, a.bufs, e.bufs];
}
