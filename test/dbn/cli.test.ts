import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture } from "./helpers";

const MAIN = join(import.meta.dir, "../../src/main.ts");
const dir = mkdtempSync(join(tmpdir(), "lake-dbn-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lake = (...args: string[]) => Bun.spawnSync(["bun", "run", MAIN, ...args], { stderr: "pipe", stdout: "pipe" });

test("lake import dbn: JSON report, then a no-op; bad input exits 1 with one line; a missing file exits 2", () => {
  const root = join(dir, "lake");
  const a = lake("import", "dbn", fixture("test_data.mbp-10.v2.dbn.zst"), fixture("test_data.trades.dbn"), "--data-root", root, "--json");
  expect(a.exitCode).toBe(0);
  const r = JSON.parse(a.stdout.toString());
  expect(r.files.map((f: { status: string; rows: object }) => [f.status, f.rows])).toEqual([["imported", { "futures.mbp10": 2 }], ["imported", { "futures.trades": 2 }]]);
  const b = lake("import", "dbn", fixture("test_data.trades.dbn"), "--data-root", root);
  expect(b.exitCode).toBe(0);
  expect(b.stdout.toString()).toContain("already imported");

  const cut = join(dir, "cut.dbn");
  writeFileSync(cut, readFileSync(fixture("test_data.trades.dbn")).subarray(0, 420));
  const c = lake("import", "dbn", cut, "--data-root", root);
  expect(c.exitCode).toBe(1);
  expect(c.stderr.toString().trim()).toBe(`lake: ${cut}: truncated record: the stream ends 19 bytes into a 48-byte record at byte offset 401`);

  const d = lake("import", "dbn", join(dir, "missing.dbn"), "--data-root", root);
  expect(d.exitCode).toBe(2);
  expect(d.stderr.toString()).toContain(`cannot read DBN file ${join(dir, "missing.dbn")}: no such file`);
}, 60_000);

const spooled = (root: string) => {
  const d = join(root, "_import", "dbn", "spool");
  return existsSync(d) ? readdirSync(d) : [];
};

/** `lake import dbn -` reading what `cat FILE` writes into a pipe. */
async function pipedImport(file: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cat = Bun.spawn(["cat", file], { stdout: "pipe" });
  const p = Bun.spawn(["bun", "run", MAIN, "import", "dbn", "-", ...args], { stdin: cat.stdout, stdout: "pipe", stderr: "pipe" });
  const [code, stdout, stderr] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  await cat.exited;
  return { code, stdout, stderr };
}

test("lake import dbn -: a file piped on stdin imports like the file itself, exactly once", async () => {
  const root = join(dir, "stdin-lake");
  const file = fixture("test_data.mbp-10.v3.dbn.zst");
  // one record per batch: the first batch is encoded on a batch worker, the last in place
  const a = await pipedImport(file, "--data-root", root, "--batch-rows", "1", "--workers", "1", "--json");
  expect(a.stderr).toBe("");
  expect(a.code).toBe(0);
  const r = JSON.parse(a.stdout).files;
  expect(r.map((f: { file: string; status: string; rows: object; files: number }) => [f.file, f.status, f.rows, f.files])).toEqual([["stdin", "imported", { "futures.mbp10": 2 }, 2]]);
  const viaPath = JSON.parse(lake("import", "dbn", file, "--data-root", root, "--json").stdout.toString()).files[0];
  expect([viaPath.status, viaPath.sha256]).toEqual(["already imported", r[0].sha256]);
  const again = await pipedImport(file, "--data-root", root, "--json");
  expect(JSON.parse(again.stdout).files[0].status).toBe("already imported");

  const other = join(dir, "by-path-lake");
  expect(lake("import", "dbn", file, "--data-root", other, "--batch-rows", "1").exitCode).toBe(0);
  const q = (lakeRoot: string) =>
    JSON.parse(lake("query", "select * from bronze_futures_mbp10 order by ts_event_ns", "--data-root", lakeRoot, "--json").stdout.toString());
  const rows = q(root);
  expect(rows.map((x: { symbol: string; seq: number }) => [x.symbol, x.seq])).toEqual([["ESH1", 1170352], ["ESH1", 1170356]]);
  expect(rows).toEqual(q(other));
  // nothing left behind: the commit record is the only record, the spooled copy is gone
  expect(readdirSync(join(root, "_import", "dbn")).filter((n) => n.endsWith(".json"))).toEqual([`${r[0].sha256}.json`]);
  expect(spooled(root)).toEqual([]);
}, 90_000);

test("lake import dbn -: a stream cut short is a one-line error naming stdin, nothing written", async () => {
  const root = join(dir, "stdin-cut-lake");
  const cut = join(dir, "cut-stdin.dbn");
  writeFileSync(cut, readFileSync(fixture("test_data.trades.dbn")).subarray(0, 420));
  const c = await pipedImport(cut, "--data-root", root);
  expect(c.code).toBe(1);
  expect(c.stderr.trim()).toBe("lake: stdin: truncated record: the stream ends 19 bytes into a 48-byte record at byte offset 401");
  expect(existsSync(join(root, "bronze"))).toBe(false);
  expect(spooled(root)).toEqual([]);
  expect(readdirSync(join(root, "_import", "dbn")).filter((n) => n.endsWith(".json"))).toEqual([]);
}, 60_000);
