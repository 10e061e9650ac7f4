/**
 * `lake import dbn` in its own process, so its peak RSS is the import's alone:
 *   bun bench/lib/import-child.ts [--pool] [--warm WARM_ROOT] LAKE_ROOT FILE…   → one JSON line on stdout
 * --pool encodes on one batch worker while this thread decodes (`lake import dbn --workers 1`);
 * without it, as `lake import dbn` runs by default: everything on this thread, one core.
 * With --warm the same files are imported once into WARM_ROOT first (JIT warm, like the
 * anchors, which are timed after a warm-up run); the second import is the one timed.
 */
import { readFileSync } from "node:fs";
import { openBatchPool } from "../../src/app/pool";
import { poolEncoder } from "../../src/dbn/encode-task";
import { importDbnFiles } from "../../src/dbn/import";
import { LocalStore } from "../../src/storage/local";

let args = process.argv.slice(2);
const usePool = args[0] === "--pool";
if (usePool) args = args.slice(1);
await using pool = usePool ? openBatchPool(1) : null;
const opts = pool ? { encoder: poolEncoder(pool), inFlight: pool.size } : {};
if (args[0] === "--warm") {
  await importDbnFiles(new LocalStore(args[1]!), args.slice(3), opts);
  args = args.slice(2);
}
const [root, ...files] = args;
const store = new LocalStore(root!);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const report = await importDbnFiles(store, files, opts);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const rows = report.files.reduce((s, f) => s + Object.values(f.rows).reduce((a, b) => a + b, 0), 0);
const records = report.files.reduce((s, f) => s + f.records, 0);
console.log(JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, rows, records, maxRssBytes: peakRss() }));

/**
 * This process's own peak RSS: VmHWM of its address space. (getrusage's maxrss survives
 * execve on Linux, so a child spawned by a big parent would report the parent's size.)
 */
function peakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}
