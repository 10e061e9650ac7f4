import { describe, expect, test } from "bun:test";
import stage from "../../../src/silver/pipeline/stages/s12-gex-features";
import { makeContext, makeEvents, makeOptions, values, type OptionSpec } from "./s07-s13-context";

function run(options: OptionSpec[] | null, levels: number[], variant: "reference" | "corrected" = "reference") {
  const ctx = makeContext(variant);
  if (options) ctx.options = makeOptions(options);
  ctx.events = makeEvents(levels.map((level) => ({ sec: 36000, level, dir: "UP" as const })));
  stage.run(ctx);
  return ctx;
}

describe("S12 GEX bands [REF] −(Σγ)·(Σsize) per (strike, right)", () => {
  test("no options, or none expiring today → all 15 columns 0", () => {
    for (const ctx of [run(null, [7000]), run([], [7000]), run([{ strike: 7005, right: "C", size: 10, gamma: 0.01, exp: "2026-01-15" }], [7000])]) {
      for (const c of stage.outputs) expect(values(ctx, c)).toEqual([0]);
    }
  });

  test("product of sums, not sum of products", () => {
    const ctx = run(
      [
        { strike: 7005, right: "C", size: 2, gamma: 0.01 },
        { strike: 7005, right: "C", size: 3, gamma: 0.03 },
      ],
      [7000],
    );
    expect(values(ctx, "gex_above_1strike")[0]).toBeCloseTo(-(0.04 * 5), 15); // not −(0.02+0.09)
    expect(values(ctx, "call_gex_above_1strike")[0]).toBeCloseTo(-0.2, 15);
  });

  test("band edges: above (L, L+b], below [L−b, L); a strike at L only counts in net", () => {
    const opts: OptionSpec[] = [
      { strike: 7000, right: "C", size: 1, gamma: 1 }, // at L: −1
      { strike: 7005, right: "C", size: 1, gamma: 2 }, // L+5: band 1 above, −2
      { strike: 7005, right: "P", size: 1, gamma: 4 }, // put above: in gex_above, not call_gex_above
      { strike: 6995, right: "P", size: 1, gamma: 8 }, // L−5: band 1 below
      { strike: 6995, right: "C", size: 1, gamma: 16 }, // call below: in gex_below, not put_gex_below
      { strike: 7010, right: "C", size: 1, gamma: 32 }, // L+10: band 2
      { strike: 6985, right: "P", size: 1, gamma: 64 }, // L−15: band 3
      { strike: 7020, right: "C", size: 1, gamma: 128 }, // L+20: nowhere
    ];
    const ctx = run(opts, [7000]);
    const v = (c: string) => values(ctx, c)[0];
    expect(v("gex_above_1strike")).toBe(-6);
    expect(v("call_gex_above_1strike")).toBe(-2);
    expect(v("gex_below_1strike")).toBe(-24);
    expect(v("put_gex_below_1strike")).toBe(-8);
    expect(v("gex_above_2strike")).toBe(-38);
    expect(v("gex_below_2strike")).toBe(-24);
    expect(v("gex_above_3strike")).toBe(-38);
    expect(v("gex_below_3strike")).toBe(-88);
    expect(v("put_gex_below_3strike")).toBe(-72);
    expect(v("gex_asymmetry")).toBe(-38 + 88);
    expect(v("gex_ratio")).toBeCloseTo(-38 / (88 + 1e-6), 15);
    expect(v("net_gex_2strike")).toBe(-1 - 6 - 24 - 32 - 64);
  });

  test("corrected variant uses −Σ(aggressor·size·γ·50)", () => {
    const opts: OptionSpec[] = [
      { strike: 7005, right: "C", size: 2, gamma: 0.01, aggr: 1 },
      { strike: 7005, right: "C", size: 3, gamma: 0.03, aggr: -1 },
    ];
    const ctx = run(opts, [7000], "corrected");
    expect(values(ctx, "gex_above_1strike")[0]).toBeCloseTo(-(0.02 - 0.09) * 50, 12);
  });

  test("options present without S4 gamma fail loudly", () => {
    const ctx = makeContext();
    ctx.options = makeOptions([{ strike: 7000, right: "C", size: 1, gamma: 0 }]);
    ctx.options.gamma = undefined;
    ctx.events = makeEvents([{ sec: 0, level: 7000, dir: "UP" }]);
    expect(() => stage.run(ctx)).toThrow(/gamma.*S4/);
  });
});

describe("S12 corrected variant (D-8 causal options)", () => {
  test("each event sees only the option trades with ts ≤ its ts", () => {
    const ctx = makeContext("corrected");
    ctx.options = makeOptions([
      { sec: 100, strike: 7005, right: "C", size: 2, gamma: 0.01, aggr: 1 },
      { sec: 200, strike: 7005, right: "C", size: 3, gamma: 0.03, aggr: 1 },
      { sec: 300, strike: 6995, right: "P", size: 1, gamma: 0.02, aggr: -1 },
    ]);
    ctx.events = makeEvents([50, 100, 250, 400].map((sec) => ({ sec, level: 7000, dir: "UP" as const })));
    stage.run(ctx);
    const a1 = (x: number) => -x * 50;
    expect(values(ctx, "gex_above_1strike")).toEqual([0, a1(0.02), a1(0.02 + 0.09), a1(0.02 + 0.09)]);
    expect(values(ctx, "put_gex_below_1strike")).toEqual([0, 0, 0, -(-1 * 0.02 * 50)]);
  });

  test("the causal replay also honours the reference formula when only D-8 is switched on", () => {
    const ctx = makeContext("reference");
    (ctx.cfg.fixes as unknown as Record<string, boolean>).causalOptions = true;
    ctx.options = makeOptions([
      { sec: 100, strike: 7005, right: "C", size: 2, gamma: 0.01 },
      { sec: 200, strike: 7005, right: "C", size: 3, gamma: 0.03 },
    ]);
    ctx.events = makeEvents([150, 200].map((sec) => ({ sec, level: 7000, dir: "UP" as const })));
    stage.run(ctx);
    expect(values(ctx, "gex_above_1strike")[0]).toBeCloseTo(-(0.01 * 2), 15);
    expect(values(ctx, "gex_above_1strike")[1]).toBeCloseTo(-(0.04 * 5), 15);
  });
});
