import { describe, expect, test } from "bun:test";
import { selectBest } from "../../src/gold/best";
import type { ExperimentRecord } from "../../src/silver/experiments";
import { fullEnsembleManifest, mechanicsOnlyManifest } from "../../src/silver/baselines";
import { FIXTURE_DATE, lakeWithSilver } from "./gold-lake";

const rec = (id: string, metrics: Record<string, unknown> | null, created_at = "2025-12-17T00:00:00Z", status = "completed", version = "v"): ExperimentRecord => ({
  id, version, created_at, status, metrics, parent: null, tags: [], notes: "", model_path: null, model_metrics: null,
});

describe("best experiment by metric (contracts §5.7 recommended)", () => {
  test("highest wins; lower-is-better picks the lowest; not-completed and metric-less are skipped with reasons", () => {
    const rs = [rec("a", { auc: 0.7 }), rec("b", { auc: 0.8 }), rec("c", { auc: 0.95 }, undefined, "running"), rec("d", {}), rec("e", { auc: "n/a" }), rec("f", null)];
    const hi = selectBest(rs, "auc");
    expect(hi.selected.id).toBe("b");
    expect(hi.value).toBe(0.8);
    expect(hi.tie_break).toBe("none");
    expect(hi.skipped).toEqual([
      { id: "c", reason: "status is running" },
      { id: "d", reason: "no metric auc" },
      { id: "e", reason: "metric auc is not a finite number" },
      { id: "f", reason: "no metric auc" },
    ]);
    expect(selectBest(rs, "auc", false).selected.id).toBe("a");
  });

  test("ties: latest created_at wins, then registry order", () => {
    const t = selectBest([rec("old", { auc: 0.9 }, "2025-01-01T00:00:00Z"), rec("new", { auc: 0.9 }, "2025-06-01T00:00:00Z"), rec("lo", { auc: 0.1 })], "auc");
    expect([t.selected.id, t.tie_break, t.tied_with]).toEqual(["new", "latest_created_at", ["old"]]);
    const same = selectBest([rec("x", { auc: 0.9 }), rec("y", { auc: 0.9 })], "auc");
    expect([same.selected.id, same.tie_break, same.tied_with]).toEqual(["x", "registry_order", ["y"]]);
  });

  test("no candidate is an error that says why", () => {
    expect(() => selectBest([], "auc")).toThrow(/no completed experiment has a numeric metric "auc" \(the registry is empty\)/);
    expect(() => selectBest([rec("a", { loss: 1 })], "auc")).toThrow(/a: no metric auc/);
  });

  test("promoteBestExperiment by id and by metric promotes that experiment's Silver version", async () => {
    const { lake, curator, silver } = await lakeWithSilver();
    using _ = lake;
    await silver.buildFeatureSet(mechanicsOnlyManifest(), [FIXTURE_DATE]);
    await silver.buildFeatureSet(fullEnsembleManifest(), [FIXTURE_DATE]);
    await silver.registerExperiment("v1.0_mechanics_only", "exp001", { metrics: { auc: 0.61 }, notes: "baseline" });
    await silver.registerExperiment("v2.0_full_ensemble", "exp002", { metrics: { auc: 0.72 }, notes: "Added TA features" });
    await silver.registerExperiment("es_pipeline", "exp003", { metrics: { auc: 0.99 }, status: "failed" });

    const byId = await curator.promoteBestExperiment("exp001", "by_id");
    expect(byId.version).toBe("v1.0_mechanics_only");
    expect(byId.promotion.status).toBe("success");
    expect(curator.getDatasetMetadata("by_id")!.notes).toBe("Promoted from experiment exp001: baseline");

    const best = await curator.promoteBestExperiment({ metric: "auc" }, "best");
    expect([best.experiment, best.version, best.promotion.status]).toEqual(["exp002", "v2.0_full_ensemble", "success"]);
    expect(best.selection!.skipped).toEqual([{ id: "exp003", reason: "status is failed" }]);
    // force is honoured (the predecessor ignored it)
    expect((await curator.promoteBestExperiment("exp002", "best")).promotion.status).toBe("skipped");
    expect((await curator.promoteBestExperiment("exp002", "best", { force: true })).promotion.status).toBe("success");
    await expect(curator.promoteBestExperiment("exp404")).rejects.toThrow("Experiment exp404 not found");
  });
});
