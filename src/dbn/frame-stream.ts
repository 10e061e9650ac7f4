/**
 * One DBN file → a stream of Bronze frame batches (shared by `lake import dbn` and
 * `lake replay --dbn`): the decoder fills fixed-size columnar batches, and each full batch
 * (and the last) is mapped to Bronze frames and handed over before the batch is reused.
 */
import { LakeError } from "../errors";
import type { Frame } from "../frame";
import { Mbp10Columns, TradeColumns } from "./columns";
import { schemaName, SCHEMA_ID } from "./constants";
import { mbp10Frame, tradeFrames, type ImportSchema, type SkipCounts } from "./bronze-rows";
import type { DbnMetadata } from "./metadata";
import { DbnReader, type DbnSinks, type DecodeStats } from "./reader";
import type { Symbology } from "./symbology";

export interface BronzeBatch {
  trades: Frame | null;
  mbp10: Frame | null;
  options: Frame | null;
}

/**
 * Column sets kept from one file to the next: an import of many files allocates its batch
 * columns (~70 MB of MBP-10 at the default batch size) once instead of once per file.
 */
export class ColumnPool {
  private readonly trades: TradeColumns[] = [];
  private readonly mbp10: Mbp10Columns[] = [];

  constructor(readonly batchRows: number, readonly shared: boolean) {}

  fits(batchRows: number, shared: boolean): boolean {
    return batchRows === this.batchRows && shared === this.shared;
  }

  takeTrades(): TradeColumns {
    const c = this.trades.pop() ?? new TradeColumns(this.batchRows, this.shared);
    c.reset();
    c.undefined = 0;
    return c;
  }

  takeMbp10(): Mbp10Columns {
    const c = this.mbp10.pop() ?? new Mbp10Columns(this.batchRows, this.shared);
    c.reset();
    return c;
  }

  give(trades: readonly TradeColumns[], mbp10: readonly Mbp10Columns[]): void {
    this.trades.push(...trades);
    this.mbp10.push(...mbp10);
  }
}

export interface StreamResult {
  metadata: DbnMetadata;
  stats: DecodeStats;
  skipped: SkipCounts;
}

function checkSchema(m: DbnMetadata, mode: ImportSchema, file: string): void {
  if (m.schema === SCHEMA_ID.definition) throw new LakeError(`${file}: a definition file holds no Bronze rows; pass it with --definitions`, 2);
  const ok =
    m.schema === null ||
    (mode === "mbp10" ? m.schema === SCHEMA_ID["mbp-10"] : mode === "auto" ? m.schema === SCHEMA_ID["mbp-10"] || m.schema === SCHEMA_ID.trades : m.schema === SCHEMA_ID.trades);
  if (!ok) throw new LakeError(`${file}: DBN schema ${schemaName(m.schema)} cannot be imported as --schema ${mode} (supported: trades, mbp-10)`, 2);
}

export async function streamBronzeBatches(
  path: string,
  sym: Symbology,
  opts: {
    mode: ImportSchema;
    batchRows: number;
    /**
     * Sets of columns used in turn (default 1). The frames of a batch are views of its set:
     * they stay valid until `columnSets − 1` further batches have been handed over.
     */
    columnSets?: number;
    /** How errors call the input (default its path). */
    name?: string;
    /**
     * Column sets to take from and give back, shared by the files of one import. The caller
     * must not start the next file before every batch of this one has been encoded.
     */
    pool?: ColumnPool;
  },
  /** `more`: the decoder stopped because a batch was full, more rows follow. */
  onBatch: (b: BronzeBatch, more: boolean) => Promise<void>,
): Promise<StreamResult> {
  const { mode, batchRows } = opts;
  // Columns are used round-robin: with `columnSets` > 1 a batch handed to a worker stays
  // readable there while the next one is decoded into another set (shared memory, no copy).
  const sets = Math.max(1, opts.columnSets ?? 1);
  const pool = opts.pool?.fits(batchRows, sets > 1) ? opts.pool : new ColumnPool(batchRows, sets > 1);
  // Each kind starts on an empty placeholder, "full" at its first record: a set is taken
  // only for a kind the file holds (an MBP-10 file allocates no trade columns).
  const tradeSets: TradeColumns[] = [];
  const mbpSets: Mbp10Columns[] = [];
  let trades = new TradeColumns(0);
  let mbp10 = new Mbp10Columns(0);
  let tradeTurn = 0, mbpTurn = 0;
  const nextSet = <C>(all: C[], turn: number, take: () => C): C => {
    if (all.length < sets && turn >= all.length) all.push(take());
    return all[turn % sets]!;
  };
  const skipped: SkipCounts = {};
  let exchange: string | null = null;

  const flush = async (kind: "trades" | "mbp10", more = true): Promise<void> => {
    if (kind === "mbp10") {
      if (more && mbp10.capacity === 0) {
        sinks.mbp10 = mbp10 = nextSet(mbpSets, mbpTurn, () => pool.takeMbp10());
        return;
      }
      await onBatch({ trades: null, options: null, mbp10: mbp10Frame(mbp10, sym, skipped) }, more);
      if (more && sinks.mbp10) sinks.mbp10 = mbp10 = nextSet(mbpSets, ++mbpTurn, () => pool.takeMbp10());
      mbp10.reset();
      return;
    }
    if (more && trades.capacity === 0) {
      sinks.trades = trades = nextSet(tradeSets, tradeTurn, () => pool.takeTrades());
      return;
    }
    const { futures, options } = tradeFrames(trades, sym, mode, exchange, skipped);
    await onBatch({ trades: futures, options, mbp10: null }, more);
    if (trades.undefined) skipped["UNDEF price or size"] = (skipped["UNDEF price or size"] ?? 0) + trades.undefined;
    if (more && sinks.trades) sinks.trades = trades = nextSet(tradeSets, ++tradeTurn, () => pool.takeTrades());
    trades.undefined = 0;
    trades.reset();
  };

  const reader = new DbnReader(path, opts.name);
  const sinks: DbnSinks = {
    trades: mode === "mbp10" ? undefined : trades,
    mbp10: mode === "auto" || mode === "mbp10" ? mbp10 : undefined,
    onMetadata: (m) => {
      checkSchema(m, mode, reader.name);
      sym.addMetadata(m);
      exchange = m.dataset.startsWith("GLBX.") ? "CME" : m.dataset.split(".")[0] ?? null;
    },
    onDefinition: (d) => sym.addDefinition(d),
    onSymbolMapping: (m) => sym.addSymbolMapping(m),
    onFull: flush,
  };
  const stats = await reader.run(sinks);
  await flush("trades", false);
  await flush("mbp10", false);
  pool.give(tradeSets, mbpSets);
  for (const [k, v] of Object.entries(stats.skipped)) skipped[`record type ${k}`] = v;
  return { metadata: reader.metadata!, stats, skipped };
}
