/**
 * `lake` commands as real child processes (from source) with their stderr in a log file, for
 * tests and benchmarks of multi-process setups (`lake worker`, a distributed `lake silver`);
 * and a simulated Bronze lake to build from.
 *
 *   const w = spawnLake(["worker", "--data-root", root], env, join(dir, "w1.log"));
 *   await w.waitForLog(/task started/);  w.proc.kill("SIGKILL");
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { generateDay, tradingDates } from "../src/sim/day";
import { writeBronzeDay } from "../src/sim/bronze";
import { localStore } from "../src/storage";
import { spawnService } from "./processes";

const MAIN = resolve(import.meta.dir, "../src/main.ts");

export interface LakeProcess extends AsyncDisposable {
  readonly proc: ReturnType<typeof Bun.spawn>;
  readonly logFile: string;
  log(): string;
  /** Resolves when the log matches (rejects with the log tail when the process exits or time runs out). */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<void>;
  /** stdout, once the process has exited. */
  stdout(): Promise<string>;
}

export function spawnLake(args: string[], env: Record<string, string>, logFile: string): LakeProcess {
  const proc = spawnService([process.execPath, "run", MAIN, ...args], { stdout: "pipe", stderr: Bun.file(logFile), env: { ...process.env, USE_S3: "false", ...env } });
  const out = new Response(proc.stdout as ReadableStream).text();
  const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  return {
    proc,
    logFile,
    log,
    stdout: () => out,
    async waitForLog(re, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!re.test(log())) {
        if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`${args[0]} exited (${proc.exitCode ?? proc.signalCode}) before its log matched ${re}; log tail:\n${tail(log())}`);
        if (Date.now() > deadline) throw new Error(`${args[0]}: log did not match ${re} within ${timeoutMs} ms; log tail:\n${tail(log())}`);
        await Bun.sleep(50);
      }
    },
    async [Symbol.asyncDispose]() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGKILL");
        await proc.exited;
      }
    },
  };
}

function tail(s: string, lines = 30): string {
  return s.trimEnd().split("\n").slice(-lines).join("\n");
}

/** `days` simulated trading days of Bronze under `root` (what `lake simulate --to bronze` writes). */
export async function simulateBronze(root: string, days: number, o: { from?: string; scale?: "light" | "normal"; seed?: number } = {}): Promise<string[]> {
  const store = localStore(root);
  const dates = tradingDates(o.from ?? "2026-03-02", days);
  for (const date of dates) await writeBronzeDay(store, generateDay({ date, seed: o.seed ?? 11, scale: o.scale ?? "light", signals: false }));
  return dates;
}
