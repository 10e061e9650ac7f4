/**
 * GoldWriter — the in-process class API for Gold streaming signals (contracts §3): the
 * `gold_writer_levels_signals` consumer, plus `writeLevelSignals(payload)` for embedding
 * without NATS. Direct writes go through the same TableWriter (same flattening, same
 * intent/commit protocol) under the pseudo-consumer `gold_writer_direct`, whose sequence
 * numbers continue from its own commit watermark.
 */
import { WRITER_DEFAULTS } from "../../config";
import { LEVEL_SIGNALS_SUBJECT } from "../../schemas/gold";
import { openStore } from "../../storage/index";
import { newWriterId } from "../common/commit";
import { levelSignalsDecoder } from "../worker/decode/level-signals";
import { payloadBytes } from "../worker/decode/flatten";
import { TableWriter } from "../worker/table-writer";
import { GOLD_CONSUMERS, type ConsumerSpec } from "./streams";
import { WriterBase, type WriterOptions } from "./writer-base";

export type GoldWriterOptions = WriterOptions;
export const GOLD_DIRECT_CONSUMER = "gold_writer_direct";

export class GoldWriter extends WriterBase {
  private direct: TableWriter | null = null;
  private directSeq = 0;
  private directTimer: ReturnType<typeof setInterval> | null = null;
  private readonly subject = new TextEncoder().encode(LEVEL_SIGNALS_SUBJECT);

  constructor(options: GoldWriterOptions = {}) {
    super(options, WRITER_DEFAULTS.gold);
  }

  protected consumers(): readonly ConsumerSpec[] {
    return GOLD_CONSUMERS;
  }

  private async directWriter(): Promise<TableWriter> {
    if (this.direct) return this.direct;
    const w = new TableWriter({
      decoder: levelSignalsDecoder,
      consumer: GOLD_DIRECT_CONSUMER,
      store: openStore(this.storeConfig()),
      bufferLimit: this.options.bufferLimit!,
      flushIntervalMs: this.options.flushIntervalSeconds! * 1000,
      writerId: newWriterId(),
    });
    await w.init();
    this.directSeq = w.commit.watermark;
    this.direct = w;
    this.directTimer = setInterval(() => void w.maybeFlush()?.catch(() => {}), Math.min(1000, this.options.flushIntervalSeconds! * 1000));
    return w;
  }

  /**
   * Buffer one payload (object, JSON text or bytes). An invalid payload is quarantined,
   * never thrown; the size check runs after the whole payload (§3.1).
   */
  async writeLevelSignals(payload: unknown): Promise<void> {
    const w = await this.directWriter();
    while (!w.canAccept()) await Bun.sleep(5);
    w.accept(this.subject, ++this.directSeq, payloadBytes(payload));
    const p = w.maybeFlush();
    if (p) await p;
  }

  /** Flush the direct buffer and the consumer. */
  async flush(): Promise<void> {
    if (this.direct) await this.direct.flushAll();
    await this.flushAll();
  }

  getGoldPath(): string {
    return this.rootPath("gold");
  }

  override async stop(timeoutMs = 30_000): Promise<boolean> {
    if (this.directTimer) clearInterval(this.directTimer);
    let ok = true;
    if (this.direct) {
      try {
        await this.direct.flushAll(Date.now() + timeoutMs);
      } catch {
        ok = false;
      }
    }
    return (await super.stop(timeoutMs)) && ok;
  }
}
