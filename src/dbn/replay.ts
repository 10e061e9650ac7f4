/**
 * `lake replay --dbn FILE…`: DBN records as Bronze-shaped batches for publishing onto NATS in
 * the contracts' wire format (§1.6–§1.8; the CLI encodes with the simulator's wire encoders),
 * through the same decoder and the same DBN → Bronze mapping as `lake import dbn`, so the
 * live path can be exercised with real records and its Bronze compared with an import's.
 * Each batch is published before the next one is decoded.
 */
import type { ImportSchema } from "./bronze-rows";
import { streamBronzeBatches, type BronzeBatch } from "./frame-stream";
import { checkReadable, loadDefinitions } from "./import";
import type { Frame } from "../frame";
import { Symbology } from "./symbology";

export interface DbnReplayOptions {
  definitions?: readonly string[];
  schema?: ImportSchema;
  batchRows?: number;
  /** Publish one batch (the CLI encodes it in the wire format); only non-empty tables are set. */
  send: (batch: Partial<Record<keyof BronzeBatch, Frame>>) => Promise<void>;
}

export interface DbnReplayCounts {
  trades: number;
  mbp10: number;
  options: number;
  skipped: Record<string, number>;
}

export async function replayDbnFiles(paths: readonly string[], opts: DbnReplayOptions): Promise<DbnReplayCounts> {
  checkReadable([...paths, ...(opts.definitions ?? [])]);
  const sym = new Symbology();
  if (opts.definitions?.length) await loadDefinitions(opts.definitions, sym);
  const counts: DbnReplayCounts = { trades: 0, mbp10: 0, options: 0, skipped: {} };
  for (const p of paths) {
    const res = await streamBronzeBatches(p, sym, { mode: opts.schema ?? "auto", batchRows: opts.batchRows ?? 65_536 }, async (b) => {
      const src: Partial<Record<keyof BronzeBatch, Frame>> = {};
      if (b.trades?.numRows) (src.trades = b.trades), (counts.trades += b.trades.numRows);
      if (b.mbp10?.numRows) (src.mbp10 = b.mbp10), (counts.mbp10 += b.mbp10.numRows);
      if (b.options?.numRows) (src.options = b.options), (counts.options += b.options.numRows);
      if (src.trades || src.mbp10 || src.options) await opts.send(src);
    });
    for (const [k, v] of Object.entries(res.skipped)) counts.skipped[k] = (counts.skipped[k] ?? 0) + v;
  }
  return counts;
}
