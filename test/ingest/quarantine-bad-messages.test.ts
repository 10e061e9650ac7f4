/**
 * Bad input never crashes the service, never fails its batch and is never dropped
 * silently: ≥ 20 kinds of bad messages, interleaved with good ones, each end up in
 * `_quarantine/{table}/date=…/part-….ndjson` with its exact raw bytes, subject, stream
 * sequence and a reason; every good message around them is committed. An unknown subject
 * reaching a writer is quarantined too.
 */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startNats } from "../../testkit/nats";
import { localStore } from "../../src/storage/index";
import { TableWriter } from "../../src/ingest/worker/table-writer";
import { futuresTradesDecoder } from "../../src/ingest/worker/decode/index";
import { gen, SUBJECTS, type GenMsg } from "../../testkit/ingest-messages";
import { createStreams, exactlyOnce, natsClient, publishAll, startServe, tempDir, waitCommitted } from "./helpers/harness";

const T = "market.futures.trades";
const M = "market.futures.mbp10";
const O = "market.options.trades";
const G = "levels.signals";
const TS = 1765895400123456789n;
const trade = (over: Record<string, string>) => {
  const base: Record<string, string> = {
    ts_event_ns: String(TS), ts_recv_ns: String(TS), source: '"direct_feed"', symbol: '"ESZ5"', price: "6845.25", size: "3",
    aggressor: "1", exchange: '"CME"', conditions: "null", seq: "7",
  };
  const o = { ...base, ...over };
  return "{" + Object.entries(o).filter(([, v]) => v !== "@omit").map(([k, v]) => `"${k}": ${v}`).join(", ") + "}";
};
const level = '{"bid_px": 6845.0, "bid_sz": 14, "ask_px": 6845.25, "ask_sz": 9}';
const mbpMsg = (levels: string) => `{"ts_event_ns": ${TS}, "source": "direct_feed", "symbol": "ESZ5", "levels": ${levels}, "is_snapshot": false, "seq": 1}`;
const opt = (over: string) =>
  `{"ts_event_ns": ${TS}, "source": "replay", "underlying": "ES", "option_symbol": "ESZ5 C6850", "exp_date": "2025-12-16", "strike": 6850.0, "right": "C", "price": 4.75, "size": 2, "opt_bid": null, "opt_ask": null, "aggressor": 0, "conditions": null, "seq": null${over}}`;

/** The text with its one `#` replaced by the byte 0xff (never valid in UTF-8). */
function invalidUtf8(text: string): Uint8Array {
  const b = new TextEncoder().encode(text);
  b[b.indexOf(0x23)] = 0xff;
  return b;
}

/** [subject, body, a fragment the reason must contain] */
const BAD: [string, string | Uint8Array, string][] = [
  [T, `{"ts_event_ns": ${TS}, "source": "direct_feed"`, "expected"],
  [T, "[1, 2, 3]", "to be an object"],
  [T, "", "to be an object"],
  [T, "not json at all", "to be an object"],
  [T, trade({ ts_event_ns: "@omit" }), "missing required field ts_event_ns"],
  [T, trade({ ts_event_ns: "1.765895400123e18" }), "not an exact integer"],
  [T, trade({ ts_event_ns: "631152000000000000" }), "outside 2000-01-01..2100-01-01"],
  [T, trade({ ts_recv_ns: "7258118400000000000" }), "outside 2000-01-01..2100-01-01"],
  [T, trade({ price: '"abc"' }), "expected price to be a number"],
  [T, trade({ price: "NaN" }), "price must be finite"],
  [T, trade({ price: "-1.5" }), "price must be > 0"],
  [T, trade({ size: "-3" }), "size -3 is outside"],
  [T, trade({ size: "2.5" }), "size must be an integer"],
  [T, trade({ size: "3000000000" }), "size 3000000000 is outside"],
  [T, trade({ aggressor: "5" }), "aggressor 5 is outside"],
  [T, trade({ symbol: '"NQZ5"' }), "not an ES outright contract"],
  [T, trade({ symbol: '"ESZ5ESZ5ESZ5ESZ5ESZ5ESZ5"' }), "1–20 characters"],
  [T, trade({ symbol: "null" }), "expected symbol to be a string"],
  [T, trade({ source: '"bogus"' }), "source \"bogus\""],
  [T, trade({ conditions: "[70000]" }), "conditions[] 70000 is outside"],
  [T, trade({ conditions: '"1,2"' }), "expected conditions to be an array"],
  [T, trade({ seq: "-1" }), "seq must be ≥ 0"],
  [T, trade({ seq: '"0x10"' }), "not a canonical decimal integer"],
  [T, trade({ seq: "99999999999999999999" }), "does not fit in int64"],
  [T, invalidUtf8(trade({ exchange: '"C#M"' })), "invalid UTF-8"],
  [T, trade({}) + " trailing", "trailing bytes"],
  [M, mbpMsg('"none"'), "expected levels to be an array"],
  [M, mbpMsg('[{"bid_px": null, "bid_sz": 1, "ask_px": 1, "ask_sz": 1}]'), "levels[0].bid_px is null"],
  [M, mbpMsg(`[${level}, {"bid_px": 6844.75, "bid_sz": -2, "ask_px": 6845.5, "ask_sz": 1}]`), "levels[1].bid_sz -2 is outside"],
  [M, mbpMsg('[{"bid_px": 6845.0, "bid_sz": 12.7, "ask_px": 6845.25, "ask_sz": 9}]'), "levels[0].bid_sz must be an integer"],
  [M, mbpMsg(`[${level}]`).replace('"levels"', '"levelz"'), "missing required field levels"],
  [O, opt("").replace('"right": "C"', '"right": "X"'), 'right "X" must be C or P'],
  [O, opt("").replace('"2025-12-16"', '"16/12/2025"'), "exp_date \"16/12/2025\" is not YYYY-MM-DD"],
  [O, opt("").replace('"strike": 6850.0', '"strike": 0'), "strike must be > 0"],
  [O, opt("").replace('"underlying": "ES"', '"underlying": "../etc"'), "not a safe partition value"],
  [O, opt("").replace('"opt_bid": null', '"opt_bid": -Infinity'), "opt_bid must be a finite number"],
  [T, trade({ ts_event_ns: "4070908800000000000", ts_recv_ns: "4070908800000000000" }), "ts_event_ns (2099-01-01T00:00:00.000Z) is more than 1 day after the time it was received"],
  [T, trade({ exchange: '"C\\ud800ME"' }), "lone surrogate escape in exchange"],
  [T, trade({ exchange: JSON.stringify("C".repeat(5000)) }), "exchange is 5000 bytes long, over the 1024-byte limit"],
  [O, opt("").replace('"strike": 6850.0', '"strike": 1000000'), "strike 1000000 is not below 1000000"],
  [O, opt("").replace('"2025-12-16"', '"2036-01-02"'), "exp_date 2036-01-02 is more than 10 years after the trade"],
  [O, opt("").replace('"ESZ5 C6850"', JSON.stringify("X".repeat(900_000))), "option_symbol is 900000 bytes long, over the 1024-byte limit"],
  [G, '{"ts": 4070908800000, "spy": null, "levels": [{"id": "PM_HIGH"}]}', "ts (2099-01-01T00:00:00.000Z) is more than 1 day after"],
  [G, '{"spy": {"spot": 1, "bid": 1, "ask": 1}, "levels": []}', "missing required field ts"],
  [G, '{"ts": 1765895400123, "spy": null, "levels": [{"price": 6850.25}]}', "levels[0].id is missing"],
  [G, '{"ts": "abc", "spy": null, "levels": []}', "not a canonical decimal integer"],
  [G, '{"ts": 1765895400123, "spy": null, "levels": [{"id": "X", "barrier": {"added": "many"}}]}', "levels[0].barrier.added to be a number"],
];

test("≥ 20 kinds of bad messages are quarantined with reasons; the good ones around them are committed", async () => {
  expect(BAD.length).toBeGreaterThanOrEqual(20);
  await using nats = await startNats();
  using tmp = tempDir("lake-ingest-quarantine-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  const good: GenMsg[] = [];
  const all: { subject: string; body: string | Uint8Array }[] = [];
  let g = 0;
  for (const [subject, body] of BAD) {
    for (const s of SUBJECTS) {
      const m = gen(s, g);
      good.push(m);
      all.push(m);
    }
    g++;
    all.push({ subject, body });
  }
  await using serve = startServe(nats.url, root);
  const seqs = await publishAll(nc, all);
  await waitCommitted(root, all, seqs, 60_000);

  const lines: { subject: string; stream_seq: number; reason: string; raw_base64: string; raw: string | null }[] = [];
  const qdir = join(root, "_quarantine");
  for (const f of readdirSync(qdir, { recursive: true }) as string[]) {
    if (!f.endsWith(".ndjson")) continue;
    expect(f).toMatch(/^(futures\.trades|futures\.mbp10|options\.trades|levels\.signals)\/date=\d{4}-\d{2}-\d{2}\/part-.*\.ndjson$/);
    for (const l of readFileSync(join(qdir, f), "utf8").trim().split("\n")) lines.push(JSON.parse(l));
  }
  expect(lines.length).toBe(BAD.length);
  // Stream sequences are per stream: key by (subject, sequence).
  const bySeq = new Map(lines.map((l) => [`${l.subject}|${l.stream_seq}`, l]));
  let k = 0;
  all.forEach((m, i) => {
    if (good.includes(m as GenMsg)) return;
    const [subject, body, reason] = BAD[k++]!;
    const q = bySeq.get(`${subject}|${seqs[i]}`);
    expect(q).toBeDefined();
    expect(q!.subject).toBe(subject);
    expect(q!.reason).toContain(reason);
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
    expect(Buffer.from(q!.raw_base64, "base64").equals(Buffer.from(bytes))).toBe(true);
  });
  const check = await exactlyOnce(root, good);
  expect(check.missing).toEqual([]);
  expect(check.duplicated).toEqual([]);
  expect(await serve.term()).toBe(0);
}, 120_000);

test("a message on an unknown subject reaching a writer is quarantined, not decoded", async () => {
  using tmp = tempDir("lake-ingest-unknown-");
  const store = localStore(tmp.path);
  const w = new TableWriter({ decoder: futuresTradesDecoder, consumer: "t_unknown", store, bufferLimit: 10, flushIntervalMs: 1000, writerId: "wT" });
  await w.init();
  w.accept(new TextEncoder().encode("market.flow"), 1, new TextEncoder().encode(trade({})));
  await w.flushAll();
  const q = await store.list("_quarantine/futures.trades/");
  expect(q.length).toBe(1);
  const line = JSON.parse(new TextDecoder().decode(await store.get(q[0]!.key)));
  expect(line).toMatchObject({ subject: "market.flow", stream_seq: 1, reason: "unknown subject for futures.trades" });
  expect(w.commit.watermark).toBe(1);
  expect(w.commit.rowsTotal).toBe(0);
});
