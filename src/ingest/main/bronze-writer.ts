/**
 * BronzeWriter — the in-process class API (the predecessor's, contracts §7.4): the three Bronze consumers of
 * contracts §1.3 (`bronze_writer_market_*`) on one shared NATS connection.
 *
 *   const w = new BronzeWriter({ dataRoot, bufferLimit: 1000, flushIntervalSeconds: 5 });
 *   await w.start(nc); … await w.flushAll(); … await w.stop();
 */
import { WRITER_DEFAULTS } from "../../config";
import { BRONZE_CONSUMERS, type ConsumerSpec } from "./streams";
import { WriterBase, type WriterOptions } from "./writer-base";

export type BronzeWriterOptions = WriterOptions;

export class BronzeWriter extends WriterBase {
  constructor(options: BronzeWriterOptions = {}) {
    super(options, WRITER_DEFAULTS.bronze);
  }

  protected consumers(): readonly ConsumerSpec[] {
    return BRONZE_CONSUMERS;
  }

  /** Flush one schema (`futures.trades`, `futures.mbp10`, `options.trades`, or its subject). */
  async flushSchema(name: string): Promise<void> {
    await this.lane(name).flush();
  }

  getBronzePath(): string {
    return this.rootPath("bronze");
  }
}
