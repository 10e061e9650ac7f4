/**
 * `lake demo --s3`: the whole medallion with the lake in a bucket of a private s3rver the
 * demo starts itself — Bronze written there by `lake serve`, Silver read from it and the
 * version, the training set and the catalog published into it — green, with nothing left
 * running. Runs from source, where node_modules holds s3rver.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processesMentioning } from "../../testkit/processes";
import { demoOutcome } from "./demo-failure";

const MAIN = join(import.meta.dir, "../../src/main.ts");


test("lake demo --s3: green against a private emulator, Silver and Gold published in the bucket", async () => {
  const work = mkdtempSync(join(tmpdir(), "lake-demo-s3-"));
  try {
    const dir = join(work, "demo");
    const p = Bun.spawn([process.execPath, MAIN, "demo", "--s3", "--dir", dir, "--json", "--workers", "2"], {
      cwd: work,
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, NATS_URL: "", DATA_ROOT: "", LAKE_CACHE_DIR: join(work, "cache") },
    });
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    const report = JSON.parse(out || "{}");
    expect(demoOutcome(code, report, err, dir)).toEqual({ code: 0, ok: true, detail: "" });
    expect(report.data_root).toStartWith("s3://lake-demo on a private s3rver");
    expect(report.ingest.bronze.mbp10.rows).toBe(report.ingest.expected.mbp10);
    expect(report.silver.status).toBe("success");
    expect(report.gold.promotion.path).toMatch(/^gold\/training\/_gen\/[^/]+\/signals_production\.parquet$/);
    expect(err).toContain("published es_pipeline to s3://lake-demo/silver/features/es_pipeline");
    // the emulator's files: Bronze, the Silver pointer and the catalog are objects of the bucket
    const bucketFiles = (sub: string) => readdirSync(join(dir, "s3", "lake-demo", sub), { recursive: true }).map(String);
    expect(bucketFiles("silver/features/es_pipeline").some((f) => f.startsWith("_generation.json"))).toBe(true);
    expect(bucketFiles("gold").some((f) => f.startsWith("catalog.json"))).toBe(true);
    expect(bucketFiles("bronze").some((f) => f.includes("mbp10"))).toBe(true);
    expect(processesMentioning(dir)).toEqual([]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}, 120_000);
