/**
 * `lake report` rendered by a real headless Chromium (Debian's `chromium`, installed by
 * scripts/setup.sh), opened from the file system: no console errors (the page's CSP would log
 * any attempt to reach the network), one event marker per Silver row in the DOM, and a
 * screenshot. The lake is the golden fixture day with its Silver version and a Gold dataset.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lakeBinary, runLake } from "../../testkit/lake-binary";
import { FIXTURE_DAY_A } from "../../testkit/fixtures";

const work = mkdtempSync(join(tmpdir(), "lake-report-"));
const root = join(work, "lake");
const lake = (args: string[]) => runLake([...args, "--data-root", root], { cwd: work, timeoutMs: 300_000 });
let silverRows = 0;

function makeWritable(p: string): void {
  chmodSync(p, statSync(p).isDirectory() ? 0o755 : 0o644);
  if (statSync(p).isDirectory()) for (const e of readdirSync(p)) makeWritable(join(p, e));
}

/** Headless Chromium with a new empty profile and no background traffic; returns stdout and stderr. */
function chromium(url: string, extra: string[]): { out: string; err: string; code: number } {
  const profile = mkdtempSync(join(work, "profile-"));
  const p = Bun.spawnSync(
    [
      "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      `--user-data-dir=${profile}`, "--enable-logging=stderr", "--v=0", "--window-size=1400,1800", ...extra, url,
    ],
    { stdout: "pipe", stderr: "pipe", timeout: 120_000 },
  );
  return { out: p.stdout.toString(), err: p.stderr.toString(), code: p.exitCode ?? -1 };
}

/** Page console messages as Chromium logs them (`…:CONSOLE(line)] "message", source: …`). */
const consoleLines = (stderr: string) => stderr.split("\n").filter((l) => l.includes(":CONSOLE"));

beforeAll(async () => {
  expect(Bun.which("chromium")).not.toBeNull(); // scripts/setup.sh installs it
  await lakeBinary();
  cpSync(join(FIXTURE_DAY_A, "bronze"), join(root, "bronze"), { recursive: true });
  makeWritable(root);
  const built = await lake(["silver", "--json", "--quiet", "--workers", "2"]);
  expect(built.code).toBe(0);
  silverRows = JSON.parse(built.out).signals_total;
  expect(silverRows).toBeGreaterThan(0);
  expect((await lake(["gold", "promote", "es_pipeline", "--quiet"])).code).toBe(0);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("lake report in headless Chromium", () => {
  test("the console detector sees a page's console.error (control)", () => {
    const page = join(work, "control.html");
    writeFileSync(page, `<!doctype html><html><body><script>console.error("control-error")</script></body></html>`);
    expect(consoleLines(chromium(`file://${page}`, ["--dump-dom"]).err).join("\n")).toContain("control-error");
  });

  test("the fixture day: self-contained, no console errors, one marker per Silver row, a screenshot", async () => {
    const out = join(work, "report.html");
    const r = await lake(["report", "--date", "2026-01-14", "--out", out, "--json"]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out);
    expect(summary).toMatchObject({ date: "2026-01-14", version: "es_pipeline", events: silverRows });
    const html = readFileSync(out, "utf8");
    // self-contained: nothing fetched from anywhere
    expect(html).not.toMatch(/<(script|link|img|iframe)\b[^>]*\b(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);

    const dom = chromium(`file://${out}`, ["--dump-dom"]);
    expect(dom.code).toBe(0);
    expect(consoleLines(dom.err)).toEqual([]);
    expect(dom.out.match(/<circle class="event"/g)?.length).toBe(silverRows);
    expect(dom.out).toContain("ESH6 · 1-minute bars");
    expect(dom.out).toContain("signals_production: <span class=\"pass\">all checks pass</span>");
    for (const h of ["Label mix per horizon", "Data quality (Bronze)", "Feature distributions"]) expect(dom.out).toContain(h);

    const shot = join(work, "report.png");
    const s = chromium(`file://${out}`, [`--screenshot=${shot}`]);
    expect(s.code).toBe(0);
    expect(consoleLines(s.err)).toEqual([]);
    const png = readFileSync(shot);
    expect([...png.subarray(1, 4)].map((b) => String.fromCharCode(b)).join("")).toBe("PNG");
    expect(png.length).toBeGreaterThan(50_000); // a drawn chart, not a blank page
  });

  test("--dates A..B writes an overview linking a page per day", async () => {
    const out = join(work, "range", "report.html");
    const r = await lake(["report", "--dates", "2026-01-13..2026-01-14", "--out", out, "--quiet"]);
    expect(r.code).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).toContain('href="report-2026-01-13.html"');
    expect(html).toContain('href="report-2026-01-14.html"');
    expect(existsSync(join(work, "range", "report-2026-01-14.html"))).toBe(true);
    const dom = chromium(`file://${out}`, ["--dump-dom"]);
    expect(consoleLines(dom.err)).toEqual([]);
    expect(dom.out.match(/<a href="report-/g)?.length).toBe(2);
  });
});
