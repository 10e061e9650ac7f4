/** The framework: registry, config overrides and fix switches, runs off the main thread, empty days. */
import { describe, expect, test } from "bun:test";
import { frameInput } from "../../../src/silver/pipeline/bronze-input";
import { resolveConfig, referenceConfig } from "../../../src/silver/pipeline/config";
import { ES_PIPELINE, PIPELINE_NAME, PIPELINE_VERSION, stage } from "../../../src/silver/pipeline/registry";
import { runPipeline } from "../../../src/silver/pipeline/run";
import { et, mbpFrame, tradesFrame } from "./stage-test-helpers";
import { FIXTURE_DAY_A } from "../../../testkit/fixtures";

const FIXTURE = FIXTURE_DAY_A;

describe("es_pipeline framework", () => {
  test("the registry lists the 16 stages of §2 in order under es_pipeline 2.0.0", () => {
    expect([PIPELINE_NAME, PIPELINE_VERSION]).toEqual(["es_pipeline", "2.0.0"]);
    expect(ES_PIPELINE.map((s) => s.id)).toEqual(Array.from({ length: 16 }, (_, i) => `S${i + 1}`));
    expect(ES_PIPELINE.map((s) => s.name)).toEqual([
      "LoadBronze", "BuildOHLCV1m", "BuildOHLCV2m", "InitMarketState", "GenerateLevels", "DetectInteractionZones",
      "ComputePhysics", "ComputeMultiWindowKinematics", "ComputeMultiWindowOFI", "ComputeBarrierEvolution",
      "ComputeLevelDistances", "ComputeGEXFeatures", "ComputeForceMass", "ComputeApproachFeatures", "LabelOutcomes", "FilterRTH",
    ]);
  });

  test("every stage is required: all 16 load, and a stage that cannot load is a build error naming it", async () => {
    const stages = await Promise.all(ES_PIPELINE.map((e) => e.load()));
    expect(stages.map((s) => s.name)).toEqual(ES_PIPELINE.map((e) => e.name));
    const missing = stage("S7", "ComputePhysics", "stages/s07-compute-physics.ts", () => import("./no-such-stage-file" as string));
    await expect(missing.load()).rejects.toThrow(/^pipeline stage S7 ComputePhysics \(stages\/s07-compute-physics\.ts\) failed to load: /);
    const noDefault = stage("S8", "ComputeMultiWindowKinematics", "stages/s08.ts", async () => ({}));
    await expect(noDefault.load()).rejects.toThrow("pipeline stage file stages/s08.ts must `export default` a Stage");
  });

  test("config overrides replace single constants and reject unknown keys", () => {
    const cfg = resolveConfig("reference", { bands: { monitorBand: 4 } });
    expect(cfg.bands.monitorBand).toBe(4);
    expect(cfg.bands.touchBand).toBe(referenceConfig().bands.touchBand);
    expect(() => resolveConfig("reference", { bands: { monitroBand: 4 } as never })).toThrow(/bands\.monitroBand/);
    expect(() => resolveConfig("reference", { bands: { monitorBand: "5" } as never })).toThrow(/bands\.monitorBand.*number/);
    expect(() => resolveConfig("reference", { windows: { labelHorizonsSec: [120, "x"] } as never })).toThrow(/list of numbers/);
    expect(resolveConfig("corrected").fixes.floorMbpBuckets).toBe(true);
    expect(resolveConfig("reference").fixes.floorMbpBuckets).toBe(false);
  });

  test("a fix switch no stage knows fails instead of silently running the reference", async () => {
    await expect(runPipeline({ date: "2026-01-14", bronze: frameInput({}), config: { fixes: { fittedKinematicz: true } as never } })).rejects.toThrow(/fixes\.fittedKinematicz/);
  });

  test("the corrected variant turns on every §15 switch", () => {
    expect(Object.values(resolveConfig("corrected").fixes).every(Boolean)).toBe(true);
    expect(Object.values(resolveConfig("reference").fixes).some(Boolean)).toBe(false);
  });

  test("a day whose bars never enter a level zone yields an empty 182-column frame (D-29)", async () => {
    const D = "2026-01-14";
    const trades = tradesFrame(Array.from({ length: 30 }, (_, i) => ({ ts: et(D, "10:00") + BigInt(i) * 60_000_000_000n, price: 7000 })));
    const r = await runPipeline({ date: D, bronze: frameInput({ trades: { [D]: trades }, mbp10: { [D]: mbpFrame([{ ts: et(D, "10:00") }]) } }) });
    expect(r.frame.numRows).toBe(0);
    expect(r.frame.columns.length).toBe(182);
    expect(r.eventsBeforeRth).toBe(0);
  });

  test("the corrected variant reads only the front month (D-10): the ESM6 spike's six 10:41 ET events disappear", async () => {
    const spike = 1768405260000000000n; // 2026-01-14 10:41 ET, a bar made by the 55-pt ESM6 print
    const ref = await runPipeline({ date: "2026-01-14", dataRoot: FIXTURE, variant: "reference" });
    const fixed = await runPipeline({ date: "2026-01-14", dataRoot: FIXTURE, variant: "corrected", config: { fixes: { causalLevels: false } } }); // only D-10 changes the event set here
    const at = (r: typeof ref) => Array.from(r.frame.values<BigInt64Array>("ts_ns")).filter((t) => t === spike).length;
    expect([at(ref), at(fixed)]).toEqual([6, 0]);
    expect(fixed.frame.numRows).toBe(ref.frame.numRows - 6);
  });

  test("runs inside a worker thread and returns the golden day's 107 rows", async () => {
    const worker = new Worker(new URL("./pipeline-worker.ts", import.meta.url).href);
    try {
      const reply = await new Promise<{ rows?: number; columns?: number; stages?: number; error?: string }>((resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => reject(e);
        worker.postMessage({ date: "2026-01-14", dataRoot: FIXTURE });
      });
      expect(reply.error).toBeUndefined();
      expect([reply.rows, reply.columns, reply.stages]).toEqual([107, 182, 16]);
    } finally {
      worker.terminate();
    }
  });
});
