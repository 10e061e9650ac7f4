import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processesMentioning } from "../../testkit/processes";
import { demoOutcome } from "./demo-failure";

const REPO = join(import.meta.dir, "../..");

describe("lake demo", () => {
  test("the compiled binary runs the whole medallion in a temp dir, green, and leaves no process behind", async () => {
    const work = mkdtempSync(join(tmpdir(), "lake-demo-test-"));
    try {
      // a fresh binary of the current tree, run from a directory with no node_modules
      const build = Bun.spawn([process.execPath, join(REPO, "build.ts"), "--outfile", join(work, "bin/lake"), "--quiet"], { cwd: REPO, stdout: "pipe", stderr: "pipe" });
      expect(await build.exited).toBe(0);
      const demoDir = join(work, "demo");
      const p = Bun.spawn([join(work, "bin/lake"), "demo", "--dir", demoDir, "--json", "--workers", "2"], {
        cwd: work,
        stdout: "pipe",
        stderr: "pipe",
        env: { ...process.env, NATS_URL: "", LAKE_CACHE_DIR: join(work, "cache") },
      });
      const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
      const report = JSON.parse(out || "{}");
      expect(demoOutcome(code, report, err, demoDir)).toEqual({ code: 0, ok: true, detail: "" });
      expect(report.nats_url).not.toBe("nats://127.0.0.1:4222");
      expect(report.ingest.bronze.trades.rows).toBe(report.ingest.expected.trades);
      expect(report.ingest.bronze.mbp10.rows).toBe(report.ingest.expected.mbp10);
      expect(report.ingest.bronze.options.rows).toBe(report.ingest.expected.options);
      expect(report.silver.status).toBe("success");
      expect(report.silver.rows).toBeGreaterThan(0);
      expect(report.gold.promotion.status).toBe("success");
      expect(report.gold.validation.failed).toEqual([]); // integrity checks; label balance is only a warning here
      expect(report.gold.validation.passed).toBeGreaterThanOrEqual(report.gold.validation.checks - 1);
      expect(report.next).toContain("lake query");
      expect(existsSync(join(demoDir, "lake/gold/training/signals_production.parquet"))).toBe(true);
      expect(existsSync(join(demoDir, "lake/silver/features/es_pipeline/manifest.yaml"))).toBe(true);
      expect(processesMentioning(demoDir)).toEqual([]);
    } finally {
      for (const pid of processesMentioning(work)) process.kill(pid, "SIGKILL");
      rmSync(work, { recursive: true, force: true });
    }
  }, 240_000);
});
