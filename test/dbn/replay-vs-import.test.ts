/**
 * The live path with DBN records: `lake replay --dbn` publishes a DBN day onto a real
 * nats-server, `lake serve` writes it to Bronze; `lake import dbn` imports the same files into
 * another lake. Both Bronze lakes must hold the same rows, column for column.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importDbnFiles } from "../../src/dbn/import";
import { writeDbnDay } from "../../src/sim/dbn-day";
import type { Frame } from "../../src/frame";
import { FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES } from "../../src/schemas/bronze";
import { generateDay } from "../../src/sim/day";
import { LocalStore } from "../../src/storage/local";
import { startNats } from "../../testkit/nats";
import { DURABLE, startServe, waitUntil } from "../ingest/helpers/harness";
import { readTable } from "./helpers";

const MAIN = join(import.meta.dir, "../../src/main.ts");
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "lake-dbn-replay-"));
  dirs.push(d);
  return d;
};
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function committedRows(root: string, durable: string): number {
  const p = join(root, "_ingest", durable, "commit.json");
  return existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")).rowsTotal as number) : 0;
}

/** Rows as comparable tuples, ordered by (ts_event_ns, seq, symbol): file splits differ between the two writers. */
function sortedRows(f: Frame, id: string): unknown[][] {
  const rows = [...f.rows()].map((r) => f.columnNames.map((c) => (r[c] instanceof Int16Array ? [...(r[c] as Int16Array)] : r[c])));
  const ts = f.columnNames.indexOf("ts_event_ns"), seq = f.columnNames.indexOf("seq"), sym = f.columnNames.indexOf(id);
  return rows.sort((a, b) => (a[ts]! < b[ts]! ? -1 : a[ts]! > b[ts]! ? 1 : a[seq]! < b[seq]! ? -1 : a[seq]! > b[seq]! ? 1 : String(a[sym]).localeCompare(String(b[sym]))));
}

test("Bronze from lake serve (fed by lake replay --dbn) equals Bronze from lake import dbn, row for row", async () => {
  const src = tmp();
  const day = generateDay({ date: "2026-03-10", seed: 5, scale: { tradesPerSec: 0.4, mbpPerSec: 0.2, optionsPerSec: 0.08, signalIntervalMs: 0 } });
  const files = await writeDbnDay(src, day);

  const imported = tmp();
  await importDbnFiles(new LocalStore(imported), [files.trades, files.mbp10], { definitions: [files.definitions] });

  await using nats = await startNats();
  const served = join(tmp(), "lake");
  await using serve = startServe(nats.url, served);
  const rep = Bun.spawnSync(["bun", "run", MAIN, "replay", "--dbn", `${files.trades},${files.mbp10}`, "--definitions", files.definitions, "--nats-url", nats.url, "--json"], { stderr: "pipe" });
  expect(rep.exitCode).toBe(0);
  const counts = JSON.parse(rep.stdout.toString());
  expect(counts).toMatchObject({ trades: day.trades.numRows, mbp10: day.mbp10.numRows, options: day.options.numRows });
  const want: [string, number][] = [
    [DURABLE["market.futures.trades"]!, day.trades.numRows],
    [DURABLE["market.futures.mbp10"]!, day.mbp10.numRows],
    [DURABLE["market.options.trades"]!, day.options.numRows],
  ];
  await waitUntil(() => want.every(([d, n]) => committedRows(served, d) === n), 90_000, "lake serve to commit every replayed row");
  expect(await serve.term()).toBe(0);

  for (const [path, schema, id] of [["futures/trades", FUTURES_TRADES, "symbol"], ["futures/mbp10", FUTURES_MBP10, "symbol"], ["options/trades", OPTION_TRADES, "option_symbol"]] as const) {
    const a = await readTable(new LocalStore(served), path, schema);
    const b = await readTable(new LocalStore(imported), path, schema);
    expect(a.numRows).toBeGreaterThan(0);
    expect(a.numRows).toBe(b.numRows);
    expect(sortedRows(a, id)).toEqual(sortedRows(b, id));
  }
}, 180_000);
