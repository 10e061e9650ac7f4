/** A simulated multi-day Bronze lake (src/sim), written through the Store like `lake simulate`. */
import { generateDay, tradingDates } from "../../../src/sim/day";
import { writeBronzeDay } from "../../../src/sim/bronze";
import { localStore } from "../../../src/storage";
import { tempLake, type TempLake } from "./fixture-lake";

export async function simulatedLake(days: number, from = "2026-03-02", scale: "light" | "normal" = "light"): Promise<TempLake & { dates: string[] }> {
  const lake = tempLake();
  const store = localStore(lake.root);
  const dates = tradingDates(from, days);
  for (const date of dates) await writeBronzeDay(store, generateDay({ date, seed: 11, scale, signals: false }));
  return Object.assign(lake, { dates });
}

/** Run the lake CLI from source; returns exit code, stdout, stderr. */
export async function lake(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const p = Bun.spawn([process.execPath, `${import.meta.dir}/../../../src/main.ts`, ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out, err };
}
