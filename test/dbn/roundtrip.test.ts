import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importDbnFiles } from "../../src/dbn/import";
import { writeDbnDay } from "../../src/sim/dbn-day";
import { FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES } from "../../src/schemas/bronze";
import { writeBronzeDay } from "../../src/sim/bronze";
import { generateDay } from "../../src/sim/day";
import { LocalStore } from "../../src/storage/local";
import type { Store } from "../../src/storage/store";
import { expectSameRows, readTable } from "./helpers";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "lake-dbn-rt-"));
  dirs.push(d);
  return d;
};
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe("simulated day → DBN v3 → lake import dbn", () => {
  test("equals lake simulate --to bronze row for row", async () => {
    const day = generateDay({ date: "2026-03-10", seed: 11, scale: "light" });
    const simLake = new LocalStore(tmp()), dbnLake = new LocalStore(tmp());
    await writeBronzeDay(simLake, day);
    const files = await writeDbnDay(tmp(), day);
    const report = await importDbnFiles(dbnLake, [files.mbp10, files.trades], { definitions: [files.definitions] });
    expect(report.files.map((f) => f.status)).toEqual(["imported", "imported"]);
    expect(report.files[1]!.rows).toEqual({ "futures.trades": day.trades.numRows, "options.trades": day.options.numRows });
    for (const [path, schema] of [["futures/trades", FUTURES_TRADES], ["futures/mbp10", FUTURES_MBP10], ["options/trades", OPTION_TRADES]] as const) {
      const want = await readTable(simLake, path, schema), got = await readTable(dbnLake, path, schema);
      expect(got.numRows).toBeGreaterThan(0);
      // source: "sim" vs "direct_feed"; opt_bid/opt_ask are not in a DBN trade record
      expectSameRows(want, got, ["source", "opt_bid", "opt_ask"]);
    }
    // same partition layout (date/hour directories)
    const dirsOf = async (s: Store) => [...new Set((await s.list("bronze/")).map((o) => o.key.slice(0, o.key.lastIndexOf("/"))))].sort();
    expect(await dirsOf(dbnLake)).toEqual(await dirsOf(simLake));
    // a second import of the same files is a no-op
    const again = await importDbnFiles(dbnLake, [files.mbp10, files.trades], { definitions: [files.definitions] });
    expect(again.files.map((f) => f.status)).toEqual(["already imported", "already imported"]);
  }, 120_000);
});
