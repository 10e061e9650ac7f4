/**
 * The two JetStream streams of contract §1.2, the consumers the lake service reads them
 * with (§1.3), and the one create-or-verify routine that the
 * lake service (`lake serve`), the simulator/replay publishers, tests and benches all use.
 *
 * Streams are created with the contract settings (limits retention, file storage, 24 h
 * max_age) when missing and never changed when present (§9 N-6: another service may own
 * them). What a mismatch means depends on the caller: the service cannot consume from a
 * stream that lacks its subjects (fatal), a publisher only reports it (`onIncompatible`).
 */
import { RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from "@nats-io/jetstream";
import { LakeError, errorMessage } from "../../errors";
import { log } from "../../log";
import { BRONZE_TABLES } from "../../schemas/bronze";
import { LEVEL_SIGNALS_DURABLE, LEVEL_SIGNALS_SUBJECT } from "../../schemas/gold";
import { apiCode } from "./jetstream";

export interface StreamSpec {
  readonly name: string;
  readonly subjects: readonly string[];
}

export const STREAMS: readonly StreamSpec[] = [
  { name: "MARKET_DATA", subjects: ["market.*", "market.*.*"] },
  { name: "LEVEL_SIGNALS", subjects: ["levels.*"] },
];

/** A durable consumer of the lake service and the stream it reads (contracts §1.3). */
export interface ConsumerSpec {
  table: string;
  stream: string;
  subject: string;
  durable: string;
}

/** The three Bronze consumers (BronzeWriter, `lake status`). */
export const BRONZE_CONSUMERS: readonly ConsumerSpec[] = BRONZE_TABLES.map((t) => ({ table: t.key, stream: "MARKET_DATA", subject: t.subject, durable: t.durable }));
/** The Gold streaming-signals consumer (GoldWriter, `lake status`). */
export const GOLD_CONSUMERS: readonly ConsumerSpec[] = [{ table: "levels.signals", stream: "LEVEL_SIGNALS", subject: LEVEL_SIGNALS_SUBJECT, durable: LEVEL_SIGNALS_DURABLE }];

const MAX_AGE_NS = 86_400 * 1_000_000_000;
const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;

export interface EnsureStreamsOptions {
  streams?: readonly StreamSpec[];
  /** "throw" (default): a LakeError naming the problem; "warn": log it and leave the stream. */
  onIncompatible?: "throw" | "warn";
  /** Replicas of a stream created here (1; 3 in a cluster). An existing stream keeps its own. */
  replicas?: number;
}

export interface EnsureStreamsResult {
  created: string[];
  verified: string[];
}

/** Create the streams if missing; verify (never change) them if present. */
export async function ensureStreams(jsm: JetStreamManager, opts: EnsureStreamsOptions = {}): Promise<EnsureStreamsResult> {
  const result: EnsureStreamsResult = { created: [], verified: [] };
  for (const s of opts.streams ?? STREAMS) {
    let info;
    try {
      info = await jsm.streams.info(s.name);
    } catch (e) {
      if (apiCode(e) !== STREAM_NOT_FOUND) throw new LakeError(`JetStream stream ${s.name}: cannot read its configuration: ${errorMessage(e)}`);
    }
    if (!info) {
      const cfg: Partial<StreamConfig> & { name: string } = {
        name: s.name,
        subjects: [...s.subjects],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        max_age: MAX_AGE_NS,
        num_replicas: opts.replicas ?? 1,
      };
      try {
        await jsm.streams.add(cfg);
        result.created.push(s.name);
        continue;
      } catch (e) {
        // A concurrent creator is fine; anything else is fatal (§9 N-6).
        if (apiCode(e) !== STREAM_NAME_IN_USE) throw new LakeError(`JetStream stream ${s.name} could not be created: ${errorMessage(e)}`);
        info = await jsm.streams.info(s.name);
      }
    }
    const c = info.config;
    const problems: string[] = [];
    for (const subj of s.subjects) if (!c.subjects?.includes(subj)) problems.push(`subjects ${JSON.stringify(c.subjects)} lack ${subj}`);
    if (c.retention !== RetentionPolicy.Limits) problems.push(`retention is ${c.retention}, expected limits`);
    if (problems.length) {
      const msg = `JetStream stream ${s.name} exists with an incompatible configuration (${problems.join("; ")}); lake never changes an existing stream — fix it with the nats CLI`;
      if (opts.onIncompatible !== "warn") throw new LakeError(msg);
      log.warn(msg, { stream: s.name });
      continue;
    }
    result.verified.push(s.name);
  }
  return result;
}

/** Short names for `lake serve --consumers` (besides each consumer's table, subject and durable). */
const CONSUMER_ALIASES: Readonly<Record<string, string>> = { trades: "futures.trades", mbp10: "futures.mbp10", options: "options.trades", signals: "levels.signals" };

/** The durables named by `--consumers` (table, subject, durable or short name), in consumer order. */
export function resolveConsumers(names: readonly string[]): string[] {
  const all = [...BRONZE_CONSUMERS, ...GOLD_CONSUMERS];
  const picked = new Set<string>();
  for (const raw of names) {
    const n = CONSUMER_ALIASES[raw] ?? raw;
    const c = all.find((x) => x.table === n || x.subject === n || x.durable === n);
    if (!c) throw new LakeError(`unknown consumer "${raw}": use ${Object.keys(CONSUMER_ALIASES).join(", ")}, a table (${all.map((x) => x.table).join(", ")}) or a durable name`, 2);
    picked.add(c.durable);
  }
  return all.filter((c) => picked.has(c.durable)).map((c) => c.durable);
}
