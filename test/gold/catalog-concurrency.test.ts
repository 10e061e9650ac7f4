import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { lakeWithSilver } from "./gold-lake";

describe("catalog atomicity under concurrent promotions (two processes)", () => {
  test("distinct datasets all land once; forced re-promotions of a shared name become history, never duplicates", async () => {
    const { lake, curator } = await lakeWithSilver();
    using _ = lake;
    const script = (who: string) => `
      import { GoldCurator } from "${join(import.meta.dir, "../../src/gold/curator")}";
      const c = new GoldCurator(${JSON.stringify(lake.root)});
      for (let i = 0; i < 4; i++) {
        const a = await c.promoteToTraining("es_pipeline", { datasetName: "${who}_" + i });
        const b = await c.promoteToTraining("es_pipeline", { datasetName: "shared", force: true });
        if (a.status !== "success" || b.status !== "success") throw new Error(JSON.stringify([a, b]));
      }`;
    const procs = ["p", "q"].map((w) => Bun.spawn([process.execPath, "-e", script(w)], { stderr: "pipe" }));
    const codes = await Promise.all(procs.map((p) => p.exited));
    const errs = await Promise.all(procs.map((p) => new Response(p.stderr).text()));
    expect({ codes, errs: errs.filter((e) => e.includes("error")) }).toEqual({ codes: [0, 0], errs: [] });

    const cat = JSON.parse(readFileSync(join(lake.root, "gold/catalog.json"), "utf8"));
    const names = cat.datasets.map((d: { name: string }) => d.name).sort();
    expect(names).toEqual(["p_0", "p_1", "p_2", "p_3", "q_0", "q_1", "q_2", "q_3", "shared"]);
    const shared = curator.listTrainingDatasets().find((d) => d.name === "shared")!;
    expect(shared.history!.map((h) => h.n)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // current file and metadata agree with the catalog entry
    expect(await curator.fileSha256("shared")).toBe(shared.sha256!);
    expect(curator.getDatasetMetadata("shared")!.lineage.sha256).toBe(shared.sha256);
  }, 60_000);
});
