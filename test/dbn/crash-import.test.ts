/**
 * SIGKILL `lake import dbn` at random moments of a multi-file import, re-run it, and require
 * the resulting Bronze to equal a clean import exactly (and every commit record present,
 * no intent left, no file outside a commit).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importDbnFiles } from "../../src/dbn/import";
import { writeDbnDay } from "../../src/sim/dbn-day";
import { FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES } from "../../src/schemas/bronze";
import { generateDay } from "../../src/sim/day";
import { LocalStore } from "../../src/storage/local";
import { spawnService } from "../../testkit/processes";
import { expectSameRows, readTable } from "./helpers";

const MAIN = join(import.meta.dir, "../../src/main.ts");
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "lake-dbn-crash-"));
  dirs.push(d);
  return d;
};
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe("lake import dbn survives SIGKILL", () => {
  test("≥ 5 kills at random moments, then a re-run: Bronze equals a clean import", async () => {
    const src = tmp();
    const inputs: string[] = [];
    const defs: string[] = [];
    for (const [i, date] of ["2026-03-09", "2026-03-10", "2026-03-11"].entries()) {
      const f = await writeDbnDay(src, generateDay({ date, seed: 20 + i, scale: "normal" }));
      inputs.push(f.mbp10, f.trades);
      defs.push(f.definitions);
    }
    const BATCH = 5000;
    const clean = new LocalStore(tmp());
    await importDbnFiles(clean, inputs, { definitions: defs, batchRows: BATCH });

    const root = tmp();
    const argv = ["bun", "run", MAIN, "import", "dbn", ...inputs, "--definitions", defs.join(","), "--batch-rows", String(BATCH), "--data-root", root];
    let kills = 0;
    let attempts = 0;
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    // A run that finishes before its kill leaves nothing to interrupt: start that lake over and
    // aim earlier, so a fast machine still gets ≥ 5 kills into unfinished imports.
    let window = 2000;
    while (kills < 5 && attempts < 40) {
      attempts++;
      // every other run encodes on a batch worker: both write paths are killed mid-way
      const proc = spawnService(attempts % 2 ? [...argv, "--workers", "1"] : argv, { stderr: "ignore" });
      await Bun.sleep(200 + Math.floor(rand() * window));
      if (proc.exitCode === null) {
        process.kill(proc.pid, "SIGKILL");
        kills++;
        await proc.exited;
      } else {
        await proc.exited;
        rmSync(root, { recursive: true, force: true });
        mkdirSync(root);
        window = Math.max(300, Math.floor(window * 0.6));
      }
    }
    expect(kills).toBeGreaterThanOrEqual(5);
    const final = Bun.spawnSync(argv, { stderr: "pipe" });
    expect(final.exitCode).toBe(0);

    const store = new LocalStore(root);
    for (const [path, schema] of [["futures/trades", FUTURES_TRADES], ["futures/mbp10", FUTURES_MBP10], ["options/trades", OPTION_TRADES]] as const) {
      expectSameRows(await readTable(clean, path, schema), await readTable(store, path, schema), []);
    }
    const meta = (await store.list("_import/dbn/")).map((o) => o.key);
    expect(meta.filter((k) => k.includes("/intent-"))).toEqual([]);
    expect(meta.length).toBe(inputs.length);
    const committed = new Set<string>();
    for (const k of meta) for (const key of JSON.parse(new TextDecoder().decode(await store.get(k))).keys as string[]) committed.add(key);
    const onDisk = (await store.list("bronze/")).map((o) => o.key);
    expect(onDisk.filter((k) => !committed.has(k))).toEqual([]);
    expect(onDisk.length).toBe(committed.size);
    console.log(`crash-import: ${kills} SIGKILLs in ${attempts} runs, ${onDisk.length} files`);
  }, 300_000);
});
