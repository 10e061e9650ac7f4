/**
 * `lake simulate --to nats` publishes levels.signals snapshots that `lake serve` flattens into
 * Gold (contracts §3.2): one row per level of every payload, with the payload's spot/bid/ask.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { LEVEL_SIGNALS } from "../../src/schemas/gold";
import { generateDay } from "../../src/sim/day";
import { startNats } from "../../testkit/nats";
import { lake, readAll, startServe, tempDir, waitFor } from "./helpers/lake";

test(
  "every level of every simulated signal snapshot lands in Gold once",
  async () => {
    using dir = tempDir("lake-sim-gold-");
    const root = join(dir.path, "lake");
    const rates = { tradesPerSec: 0.2, mbpPerSec: 0, optionsPerSec: 0, signalIntervalMs: 20_000 };
    const day = generateDay({ date: "2026-03-11", seed: 5, scale: "light", rates });
    const expected = day.signals.reduce((s, p) => s + (p.levels as unknown[]).length, 0);
    await using nats = await startNats();
    await using serve = startServe(nats.url, root);
    await lake(["simulate", "--to", "nats", "--nats-url", nats.url, "--rate", "4000", "--date", "2026-03-11", "--seed", "5", "--scale", "light", "--trade-rate", "0.2", "--mbp-rate", "0", "--option-rate", "0", "--signal-interval", "20000"]);
    const gold = () => readAll(root, "gold/levels/signals", LEVEL_SIGNALS, ["ts_event_ns", "level_id"]);
    await waitFor("Gold to hold every signal level", async () => (await gold()).numRows >= expected, 120_000, () => serve.log().slice(-3000));
    expect(await serve.term()).toBe(0);
    const g = await gold();
    expect(g.numRows).toBe(expected);
    const ids = g.values<(string | null)[]>("level_id");
    expect(ids.filter((x) => x === null).length).toBe(0);
    const p = day.signals.find((s) => (s.levels as unknown[]).length > 0)!;
    const ts = g.values<BigInt64Array>("ts_event_ns");
    const spot = g.values<Float64Array>("spot");
    const i = ts.findIndex((t) => t === BigInt(p.ts) * 1_000_000n);
    expect(spot[i]).toBe((p.spy as { spot: number }).spot);
  },
  { timeout: 240_000 },
);
