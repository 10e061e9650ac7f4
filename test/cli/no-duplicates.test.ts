/**
 * No silent duplication of Bronze (compiled ./lake): message ids make the server drop a
 * re-publish, replay refuses a date the lake holds, simulate refuses a second seed on a date,
 * and exact duplicates already in Bronze are counted (`bronze dates --stats`) and removed
 * (`bronze dedupe`).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { startNats, type NatsServer } from "../../testkit/nats";
import { lakeBinary, runLake } from "../../testkit/lake-binary";

const work = mkdtempSync(join(tmpdir(), "lake-no-dups-"));
const D = "2026-03-02";
let nats: NatsServer;

beforeAll(async () => {
  await lakeBinary();
  nats = await startNats();
});
afterAll(async () => {
  await nats?.[Symbol.asyncDispose]();
  rmSync(work, { recursive: true, force: true });
});

const lake = (args: string[]) => runLake(args, { cwd: work, timeoutMs: 300_000 });

async function streamMessages(): Promise<number> {
  const nc = await connect({ servers: nats.url });
  try {
    return (await (await jetstreamManager(nc)).streams.info("MARKET_DATA")).state.messages;
  } finally {
    await nc.close();
  }
}

describe("publishers set message ids", () => {
  test("publishing the same day twice stores it once (the server's duplicate window drops the second)", async () => {
    const first = await lake(["simulate", "--to", "nats", "--date", D, "--scale", "light", "--nats-url", nats.url, "--json", "--quiet"]);
    expect(first.code).toBe(0);
    const published = JSON.parse(first.out).days[0].published;
    const after1 = await streamMessages();
    expect(after1).toBeGreaterThanOrEqual(published - JSON.parse(first.out).days[0].signals);
    const second = await lake(["simulate", "--to", "nats", "--date", D, "--scale", "light", "--nats-url", nats.url, "--quiet"]);
    expect(second.code).toBe(0);
    expect(await streamMessages()).toBe(after1);
  });
});

describe("refusals", () => {
  test("replay refuses a date the lake already holds unless --allow-duplicates", async () => {
    const lakeRoot = join(work, "held");
    expect((await lake(["simulate", "--to", "bronze", "--date", D, "--scale", "light", "--data-root", lakeRoot, "--quiet"])).code).toBe(0);
    const refused = await lake(["replay", "--date", D, "--schemas", "trades", "--data-root", lakeRoot, "--nats-url", nats.url]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`already holds Bronze for ${D} (trades: `);
    expect(refused.err).toContain("--allow-duplicates");
    // into another lake it goes through; forced into this one too
    const other = await lake(["replay", "--date", D, "--schemas", "trades", "--source", lakeRoot, "--data-root", join(work, "empty"), "--nats-url", nats.url, "--quiet"]);
    expect(other.code).toBe(0);
    const forced = await lake(["replay", "--date", D, "--schemas", "trades", "--data-root", lakeRoot, "--allow-duplicates", "--nats-url", nats.url, "--quiet"]);
    expect(forced.code).toBe(0);
  });

  test("simulate refuses another seed on an existing date unless --overwrite, which replaces the day", async () => {
    const lakeRoot = join(work, "seeds");
    expect((await lake(["simulate", "--date", D, "--scale", "light", "--seed", "1", "--data-root", lakeRoot, "--quiet"])).code).toBe(0);
    const refused = await lake(["simulate", "--date", D, "--scale", "light", "--seed", "2", "--data-root", lakeRoot]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("a second seed would mix two markets");
    const replaced = await lake(["simulate", "--date", D, "--scale", "light", "--seed", "2", "--overwrite", "--data-root", lakeRoot, "--quiet"]);
    expect(replaced.code).toBe(0);
    // the day is seed 2's alone (test/compact/simulate-overwrite-atomic.test.ts kills it mid-way)
    const hourDir = join(lakeRoot, `bronze/futures/trades/symbol=ES/date=${D}`);
    const names = readdirSync(hourDir, { recursive: true }).map(String).filter((n) => n.endsWith(".parquet"));
    expect(names.length).toBeGreaterThan(0);
    expect(names.some((n) => n.includes("-sim1-"))).toBe(false);
    const again = await lake(["simulate", "--date", D, "--scale", "light", "--seed", "2", "--data-root", lakeRoot]);
    expect(again.code).toBe(1);
    expect(again.err).toContain("already holds seed 2");
  });
});

describe("exact duplicates in Bronze", () => {
  test("counted by bronze dates --stats, removed by bronze dedupe (dry run first)", async () => {
    const lakeRoot = join(work, "dups");
    expect((await lake(["simulate", "--date", D, "--scale", "light", "--data-root", lakeRoot, "--quiet"])).code).toBe(0);
    const stats = async () => JSON.parse((await lake(["bronze", "dates", "--stats", "--json", "--data-root", lakeRoot])).out) as { table: string; rows: number; exact_duplicates: number; first_ts_ns: string }[];
    const before = await stats();
    const trades = before.find((r) => r.table === "futures.trades")!;
    expect(trades.exact_duplicates).toBe(0);
    expect(before.map((r) => r.table)).toEqual(["futures.trades", "futures.mbp10", "options.trades"]);

    // a file delivered twice (what a replay into a live lake did)
    const dayDir = join(lakeRoot, `bronze/futures/trades/symbol=ES/date=${D}`);
    const hour = readdirSync(dayDir).sort()[5]!;
    const file = readdirSync(join(dayDir, hour))[0]!;
    copyFileSync(join(dayDir, hour, file), join(dayDir, hour, file.replace(".parquet", "-again.parquet")));
    const dup = (await stats()).find((r) => r.table === "futures.trades")!;
    expect(dup.exact_duplicates).toBeGreaterThan(0);
    expect(dup.rows).toBe(trades.rows + dup.exact_duplicates);

    const dry = await lake(["bronze", "dedupe", "--dates", D, "--dry-run", "--data-root", lakeRoot]);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain(`${dup.exact_duplicates} duplicate row(s) would be removed`);
    expect((await stats()).find((r) => r.table === "futures.trades")!.exact_duplicates).toBe(dup.exact_duplicates);

    const done = await lake(["bronze", "dedupe", "--dates", D, "--data-root", lakeRoot]);
    expect(done.code).toBe(0);
    expect(done.out).toContain(`removed ${dup.exact_duplicates} duplicate row(s)`);
    const after = (await stats()).find((r) => r.table === "futures.trades")!;
    expect(after).toMatchObject({ rows: trades.rows, exact_duplicates: 0, first_ts_ns: trades.first_ts_ns });
    expect(readdirSync(join(dayDir, hour)).filter((n) => n.endsWith(".parquet"))).toHaveLength(1);
  });
});
