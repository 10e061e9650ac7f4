/**
 * `lake silver lookahead` on the golden day: the reference variant is flagged for exactly the
 * columns §15 predicts (plus the two groups the analysis found, documented in docs/pipeline.md),
 * and the corrected variant (es_pipeline_pit) has no leaking column.
 */
import { describe, expect, test } from "bun:test";
import { readerInput } from "../../../src/silver/pipeline/bronze-input";
import { analyseLookahead } from "../../../src/silver/lookahead/analyse";
import { FIXTURE_DAY_A } from "../../../testkit/fixtures";
import { lake } from "../builder/sim-lake";
import { REFERENCE_LEAKS } from "./expected-reference-leaks";
import { EXTRA_COLUMN_SPECS, SILVER_FEATURES, silverSchemaFor } from "../../../src/schemas/silver";
import { correctedConfig } from "../../../src/silver/pipeline/config";

const D = "2026-01-14";

describe("lookahead on fixture es-day-a", () => {
  test("reference: every predicted column leaks, nothing else; labels are reported apart", async () => {
    const r = await analyseLookahead({ bronze: readerInput(FIXTURE_DAY_A), dates: [D], variant: "reference", version: "es_pipeline" });
    expect(r.events_checked).toBe(107);
    expect([...r.leaking].sort()).toEqual([...REFERENCE_LEAKS].sort());
    expect(r.trigger.not_detected).toBe(107); // the trigger needs the entry bar's range (D-2)
    const labels = r.columns.filter((c) => c.label);
    expect(labels.length).toBe(64);
    expect(r.columns.map((c) => c.column)).toEqual(SILVER_FEATURES.columns.map((c) => c.name)); // the 182, nothing added
    expect(labels.every((c) => c.verdict === "label")).toBe(true);
    const entry = r.columns.find((c) => c.column === "entry_price")!;
    expect(entry.changed).toBeGreaterThan(100);
    expect(entry.examples.length).toBe(3);
    expect(entry.max_abs_change!).toBeGreaterThan(0);
  });

  test("corrected (es_pipeline_pit) through the CLI: zero leaking columns — the D-5/D-32 columns included — exit 0", async () => {
    const { code, out } = await lake(["silver", "lookahead", "--data-root", FIXTURE_DAY_A, "--dates", D, "--version", "es_pipeline_pit", "--json"]);
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(r.variant).toBe("corrected");
    expect(r.leaking).toEqual([]);
    expect(r.events_checked).toBe(r.events_total);
    expect(r.events_checked).toBeGreaterThan(50);
    expect(r.trigger.verdict).toBe("causal");
    // every column of the corrected schema is compared on every event, the new ones too
    expect(r.columns.map((c: { column: string }) => c.column)).toEqual(silverSchemaFor(correctedConfig().fixes).columns.map((c) => c.name));
    for (const name of EXTRA_COLUMN_SPECS.map((c) => c.name)) {
      expect(r.columns.find((c: { column: string }) => c.column === name)).toMatchObject({ compared: r.events_checked, changed: 0, verdict: "causal" });
    }
  });

  test("reference through the CLI: a seeded sample, exit 1, the same sample for the same seed", async () => {
    const run = () => lake(["silver", "lookahead", "--data-root", FIXTURE_DAY_A, "--dates", D, "--sample", "6", "--seed", "4", "--json"]);
    const [a, b] = [await run(), await run()];
    expect(a.code).toBe(1);
    const [ra, rb] = [JSON.parse(a.out), JSON.parse(b.out)];
    expect(ra.events_checked).toBe(6);
    expect(ra.columns.find((c: { column: string }) => c.column === "entry_price").examples).toEqual(rb.columns.find((c: { column: string }) => c.column === "entry_price").examples);
    expect(ra.leaking).toContain("entry_price");
  });

  test("every Bronze date by default: warm-up-only days without a book are skipped and named; none left is an error", async () => {
    const { code, out } = await lake(["silver", "lookahead", "--data-root", FIXTURE_DAY_A, "--sample", "2", "--version", "es_pipeline_pit", "--json"]);
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(r.dates).toEqual([D]);
    expect(r.dates_skipped.map((s: { date: string }) => s.date)).toEqual(["2026-01-09", "2026-01-12", "2026-01-13"]);
    const none = await lake(["silver", "lookahead", "--data-root", FIXTURE_DAY_A, "--dates", "2026-01-13"]);
    expect(none.code).not.toBe(0);
    expect(none.err).toMatch(/nothing to analyse: 2026-01-13 \(no MBP-10 rows/);
  });

  test("usage errors: unknown variant, a variant that contradicts the version, a bad sample size", async () => {
    const bad = async (args: string[], re: RegExp) => {
      const r = await lake(["silver", "lookahead", "--data-root", FIXTURE_DAY_A, "--dates", D, ...args]);
      expect(r.code).not.toBe(0);
      expect(r.err + r.out).toMatch(re);
    };
    await bad(["--variant", "pit"], /--variant must be reference or corrected/);
    await bad(["--version", "es_pipeline", "--variant", "corrected"], /es_pipeline is built by the reference variant/);
    await bad(["--sample", "0"], /--sample must be a positive integer/);
  });
});
