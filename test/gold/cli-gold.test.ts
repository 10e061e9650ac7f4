import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lake, simulatedLake } from "../silver/builder/sim-lake";

describe("`lake gold` over a simulated lake", () => {
  test("promote → validate (exit 0) → list/show/export/promote-best; a broken dataset fails validate (exit 1)", async () => {
    const sim = await simulatedLake(2);
    try {
      const root = ["--data-root", sim.root];
      expect((await lake(["silver", ...root, "--workers", "2"])).code).toBe(0);
      const promote = await lake(["gold", "promote", "es_pipeline", ...root]);
      expect(promote.code).toBe(0);
      expect(promote.out).toContain("Status: success — signals_production");
      const v = await lake(["gold", "validate", "signals_production", ...root]);
      expect(v.out).toMatch(/file_hash\s+PASS/);
      expect(v.code).toBe(0);
      const vj = JSON.parse((await lake(["gold", "validate", ...root, "--json"])).out);
      expect(vj.ok).toBe(true);
      expect(typeof vj.row_count).toBe("number");

      const list = JSON.parse((await lake(["gold", "list", ...root, "--json"])).out);
      expect(list.map((d: { name: string; path: string }) => [d.name, d.path])).toEqual([["signals_production", "gold/training/signals_production.parquet"]]);
      const show = await lake(["gold", "show", "signals_production", ...root]);
      expect(show.out).toContain("signals_production from Silver es_pipeline");

      const csv = join(sim.root, "out.csv");
      expect((await lake(["gold", "export", "signals_production", "--format", "csv", "--out", csv, ...root])).code).toBe(0);
      const lines = readFileSync(csv, "utf8").trimEnd().split("\n");
      expect(lines[0]!.split(",").slice(0, 3)).toEqual(["event_id", "ts_ns", "timestamp"]);
      expect(lines.length - 1).toBe(vj.row_count);
      expect((await lake(["gold", "export", "signals_production", "--format", "xml", "--out", csv, ...root])).code).toBe(2);

      expect((await lake(["silver", "experiments", "add", "es_pipeline", "e1", "--metrics", "auc=0.6", ...root])).code).toBe(0);
      const best = await lake(["gold", "promote-best", "--metric", "auc", "--dataset", "best", ...root]);
      expect(best.code).toBe(0);
      expect(best.out).toContain("experiment e1 → Silver es_pipeline (best by auc");
      expect((await lake(["gold", "promote-best", ...root])).code).toBe(2);
      const none = await lake(["gold", "promote-best", "--metric", "f1", ...root]);
      expect(none.code).toBe(1);
      expect(none.err).toContain('no completed experiment has a numeric metric "f1"');

      // tamper with the recorded hash: validate fails with exit 1
      const mp = join(sim.root, "gold/training/signals_production_metadata.json");
      const meta = JSON.parse(readFileSync(mp, "utf8"));
      meta.lineage.sha256 = "f".repeat(64);
      writeFileSync(mp, JSON.stringify(meta));
      const bad = await lake(["gold", "validate", "signals_production", ...root]);
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(/file_hash\s+FAIL/);
      expect((await lake(["gold", "validate", "nope", ...root])).code).toBe(1);
    } finally {
      sim[Symbol.dispose]();
    }
  }, 120_000);
});
