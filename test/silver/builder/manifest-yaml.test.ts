import { describe, expect, test, spyOn } from "bun:test";
import { readFileSync } from "node:fs";
import { fullEnsembleManifest, mechanicsOnlyManifest, esPipelineManifest } from "../../../src/silver/baselines";
import { parseManifest, serializeManifest } from "../../../src/silver/manifest";
import { selectedFeatures, versionColumns } from "../../../src/silver/selection";
import { schemaHash } from "../../../src/silver/validation";
import { SILVER_FEATURES, schemaSignature } from "../../../src/schemas/silver";
import { createHash } from "node:crypto";
import { PREDECESSOR_MANIFEST_YAML } from "../../../testkit/fixtures";

/** The mechanics-only baseline as the predecessor's PyYAML writer lays it out (contracts §4.2). */
function predecessorExample(): string {
  return readFileSync(PREDECESSOR_MANIFEST_YAML, "utf8");
}

describe("FeatureManifest YAML (contracts §4.2)", () => {
  test("the predecessor's mechanics baseline round-trips byte for byte", () => {
    const text = predecessorExample();
    expect(serializeManifest(parseManifest(text))).toBe(text);
  });

  test("the built-in mechanics baseline serialises to the predecessor's layout (timestamps quoted)", () => {
    const m = mechanicsOnlyManifest(new Date("2025-12-17T14:03:22.123Z"));
    const text = serializeManifest(m).replace("2025-12-17T14:03:22.123000Z", "2025-12-17T14:03:22.123456Z");
    expect(text).toBe(predecessorExample());
    expect(serializeManifest(m)).toContain("created_at: '2025-12-17T14:03:22.123000Z'");
  });

  test("validation block: quoted dates, float null rates, hash", () => {
    const m = { ...mechanicsOnlyManifest(), validation: { date_range: { start: "2025-12-16", end: "2025-12-17" }, signal_count: 5321, feature_count: 12, null_rates: { barrier_state: 0, time_to_break_2: 0.41, x: 0.00001 }, schema_hash: "9b1f0c2e4d7a8b3c5e6f7a8b9c0d1e2f" } };
    const text = serializeManifest(m);
    expect(text).toContain(
      "validation:\n  date_range:\n    start: '2025-12-16'\n    end: '2025-12-17'\n  signal_count: 5321\n  feature_count: 12\n  null_rates:\n    barrier_state: 0.0\n    time_to_break_2: 0.41\n    x: 1e-05\n  schema_hash: 9b1f0c2e4d7a8b3c5e6f7a8b9c0d1e2f\nparent_version: null\n",
    );
    expect(parseManifest(text)).toEqual(m);
  });

  test("unknown keys are ignored with a warning naming them", () => {
    const warn = spyOn(process.stderr, "write");
    try {
      const m = parseManifest(predecessorExample().replace("notes:", "owner: alice\nnotes:").replace("  W_b: 240", "  W_b: 240\n  W_x: 1"));
      expect(m.version).toBe("v1.0_mechanics_only");
      expect((m as Record<string, unknown>).owner).toBeUndefined();
      const out = warn.mock.calls.map((c) => String(c[0])).join("");
      expect(out).toContain('unknown key "owner"');
      expect(out).toContain('unknown key "parameters.W_x"');
    } finally {
      warn.mockRestore();
    }
  });

  test("invalid fields are rejected with the field path in the message", () => {
    expect(() => parseManifest(predecessorExample().replace("  W_b: 240", "  W_b: lots"))).toThrow(/parameters\.W_b/);
    expect(() => parseManifest(predecessorExample().replace(/^name: .*\n/m, ""))).toThrow(/name/);
    expect(() => parseManifest(predecessorExample().replace("  - tape_velocity\n", "  - 7\n"))).toThrow(/feature_groups\.1\.columns\.1/);
  });

  test("defaults fill missing optional fields", () => {
    const m = parseManifest("version: v9\nname: n\ndescription: d\ncreated_at: '2025-01-01T00:00:00Z'\n");
    expect(m.created_by).toBe("pipeline");
    expect(m.source).toEqual({ layer: "bronze", schemas: [], date_range: null });
    expect(m.parameters.OUTCOME_THRESHOLD).toBe(2.0);
    expect(m.parameters.custom).toEqual({});
    expect(m.tags).toEqual([]);
    expect(m.notes).toBe("");
    expect(serializeManifest(m)).toContain("  OUTCOME_THRESHOLD: 2.0\n  custom: {}\nvalidation: null\nparent_version: null\ntags: []\nnotes: ''\n");
  });
});

describe("built-in versions and column selection (§4.2, §4.4 b)", () => {
  test("12 of v1's and 19 of v2's manifest columns survive the schema filter", () => {
    expect(selectedFeatures(mechanicsOnlyManifest()).features).toHaveLength(12);
    expect(selectedFeatures(fullEnsembleManifest()).features).toHaveLength(19);
    expect(versionColumns(mechanicsOnlyManifest())).toHaveLength(10 + 12 + 64);
    expect(fullEnsembleManifest().parent_version).toBe("v1.0_mechanics_only");
    expect(fullEnsembleManifest().tags).toEqual(["full", "ensemble", "mechanics", "ta"]);
  });

  test("es_pipeline selects exactly the 182 schema columns in file order", () => {
    expect(versionColumns(esPipelineManifest())).toEqual(SILVER_FEATURES.columns.map((c) => c.name));
  });

  test("a manifest with no schema columns falls back to all 108 features, flagged", () => {
    const m = { ...mechanicsOnlyManifest(), feature_groups: [{ name: "g", description: "", columns: ["nope"], dependencies: [] }] };
    const s = selectedFeatures(m);
    expect(s.fellBack).toBe(true);
    expect(s.features).toHaveLength(108);
  });

  test("schema_hash is MD5 of schemaSignature (portable, documented)", () => {
    const cols = SILVER_FEATURES.columns.slice(0, 3);
    expect(schemaHash(cols)).toBe(createHash("md5").update(schemaSignature(cols)).digest("hex"));
    expect(schemaSignature(cols)).toBe("event_id:string,ts_ns:int64,timestamp:timestamp[ns]");
  });
});
