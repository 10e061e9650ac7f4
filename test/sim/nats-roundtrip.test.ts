/**
 * End to end through the real services: `lake simulate --to nats` → `lake serve` (real
 * nats-server, real subprocess) gives the same Bronze rows as `lake simulate --to bronze`
 * for the same seed; and `lake replay` of that Bronze into a fresh lake gives them again.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Frame } from "../../src/frame";
import { BRONZE_TABLES } from "../../src/schemas/bronze";
import { parseTimeBound } from "../../src/sim/replay";
import { startNats } from "../../testkit/nats";
import { firstDifference, lake, readAll, startServe, tempDir, waitFor } from "./helpers/lake";
import { FIXTURE_DAY_A } from "../../testkit/fixtures";

// Bronze only (signals have their own test): a light day thinned to ~40k messages
const SIM = ["--date", "2026-03-09", "--seed", "13", "--scale", "light", "--trade-rate", "0.3", "--mbp-rate", "0", "--option-rate", "0.05", "--signal-interval", "0"];

/** Replays are paced like a live feed (messages/s; the whole day still takes only ~8 s). */
const PACE = "4000";

async function bronzeCounts(root: string): Promise<number[]> {
  return Promise.all(BRONZE_TABLES.map(async (t) => (await readAll(root, `bronze/${t.schemaPath}`, t.schema)).numRows));
}

async function expectSameBronze(expectedRoot: string, actualRoot: string): Promise<void> {
  for (const t of BRONZE_TABLES) {
    const a = await readAll(expectedRoot, `bronze/${t.schemaPath}`, t.schema);
    const b = await readAll(actualRoot, `bronze/${t.schemaPath}`, t.schema);
    expect(a.numRows).toBeGreaterThan(0);
    expect(firstDifference(a, b, t.schema)).toBeNull();
  }
}

describe("simulate → NATS → serve → Bronze", () => {
  test(
    "equals simulate --to bronze row for row, and replay of it through serve equals it again",
    async () => {
      using dirs = tempDir("lake-sim-rt-");
      const direct = join(dirs.path, "direct");
      const viaNats = join(dirs.path, "via-nats");
      const replayed = join(dirs.path, "replayed");

      await lake(["simulate", "--to", "bronze", "--data-root", direct, ...SIM]);
      const expected = await bronzeCounts(direct);

      {
        await using nats = await startNats();
        // a running `lake serve`, fed as fast as the publisher goes
        await using serve = startServe(nats.url, viaNats);
        const out = await lake(["simulate", "--to", "nats", "--nats-url", nats.url, "--json", ...SIM]);
        const summary = JSON.parse(out.stdout) as { days: { published: number; signals: number }[] };
        expect(summary.days[0]!.published).toBe(expected.reduce((a, b) => a + b, 0) + summary.days[0]!.signals);
        await waitFor("serve to land every simulated row", async () => String(await bronzeCounts(viaNats)) === String(expected), 120_000, () => serve.log().slice(-3000));
        expect(await serve.term()).toBe(0);
        await expectSameBronze(direct, viaNats);
      }

      {
        await using nats = await startNats();
        await using serve = startServe(nats.url, replayed);
        await lake(["replay", "--date", "2026-03-09", "--source", direct, "--data-root", replayed, "--nats-url", nats.url, "--rate", PACE]);
        await waitFor("serve to land every replayed row", async () => String(await bronzeCounts(replayed)) === String(expected), 120_000, () => serve.log().slice(-3000));
        expect(await serve.term()).toBe(0);
        await expectSameBronze(direct, replayed);
      }
    },
    { timeout: 300_000 },
  );

  test(
    "a predecessor-written Bronze day (es-day-a) replayed into a fresh lake gives the same rows",
    async () => {
      using dirs = tempDir("lake-sim-rt-fx-");
      const fixture = FIXTURE_DAY_A;
      const from = parseTimeBound("2026-01-14", "10:00", "from")!;
      const to = parseTimeBound("2026-01-14", "10:10", "to")!;
      const inWindow = (f: Frame) => {
        const ts = f.values<BigInt64Array>("ts_event_ns");
        return f.filter((i) => ts[i]! >= from && ts[i]! <= to);
      };
      const expected = await Promise.all(BRONZE_TABLES.map(async (t) => inWindow(await readAll(fixture, `bronze/${t.schemaPath}`, t.schema))));
      await using nats = await startNats();
      await using serve = startServe(nats.url, dirs.path);
      await lake(["replay", "--date", "2026-01-14", "--source", fixture, "--data-root", dirs.path, "--start-time", "10:00", "--end-time", "10:10", "--nats-url", nats.url, "--rate", PACE]);
      await waitFor("serve to land the replayed window", async () => String(await bronzeCounts(dirs.path)) === String(expected.map((f) => f.numRows)), 120_000, () => serve.log().slice(-3000));
      expect(await serve.term()).toBe(0);
      for (const [k, t] of BRONZE_TABLES.entries()) {
        expect(expected[k]!.numRows).toBeGreaterThan(0);
        expect(firstDifference(expected[k]!, await readAll(dirs.path, `bronze/${t.schemaPath}`, t.schema), t.schema)).toBeNull();
      }
    },
    { timeout: 300_000 },
  );
});
