import { expect, test } from "bun:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { openPublisher, publishAll } from "../../src/sim/publish";
import { generateDay } from "../../src/sim/day";
import { wireMessages } from "../../src/sim/wire";
import { startNats } from "../../testkit/nats";

test("missing streams are created with the §1.2 settings; existing ones are left exactly as they are", async () => {
  await using nats = await startNats();
  const nc = await connect({ servers: nats.url, noAsyncTraces: true });
  try {
    const jsm = await jetstreamManager(nc);
    // an operator's LEVEL_SIGNALS with its own retention: must survive untouched
    await jsm.streams.add({ name: "LEVEL_SIGNALS", subjects: ["levels.*"], max_age: 3_600_000_000_000, max_msgs: 5000 });
    {
      await using pub = await openPublisher(nats.url);
      expect(pub.createdStreams).toEqual(["MARKET_DATA"]);
      const day = generateDay({ date: "2026-03-02", seed: 1, scale: { tradesPerSec: 0.05, mbpPerSec: 0, optionsPerSec: 0.01, signalIntervalMs: 600_000 } });
      const res = await publishAll(pub.nc, wireMessages(day));
      expect(res.published).toBe(day.trades.numRows + day.mbp10.numRows + day.options.numRows + day.signals.length);
    }
    const md = await jsm.streams.info("MARKET_DATA");
    expect(md.config.subjects).toEqual(["market.*", "market.*.*"]);
    expect(md.config.retention).toBe("limits");
    expect(md.config.storage).toBe("file");
    expect(md.config.max_age).toBe(86_400_000_000_000);
    expect(md.state.messages).toBeGreaterThan(0);
    const ls = await jsm.streams.info("LEVEL_SIGNALS");
    expect(ls.config.max_age).toBe(3_600_000_000_000);
    expect(ls.config.max_msgs).toBe(5000);
  } finally {
    await nc.close();
  }
});

test("a publish nobody stores fails loudly instead of being dropped", async () => {
  await using nats = await startNats();
  await using pub = await openPublisher(nats.url);
  const msg = { subject: "orphan.subject", data: new TextEncoder().encode("{}"), tsNs: 0n };
  await expect(publishAll(pub.nc, [msg], { ackWaitMs: 5_000 })).rejects.toThrow(/no JetStream stream|no responders|no ack/);
});
