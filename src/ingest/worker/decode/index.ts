/** Subject → table decoder routing (contracts §1.10: route by subject, never by key presence). */
import { futuresTradesDecoder } from "./futures-trades";
import { levelSignalsDecoder } from "./level-signals";
import { mbp10Decoder } from "./mbp10";
import { optionTradesDecoder } from "./option-trades";
import type { TableDecoder } from "./types";

export { DecodeError, JsonCursor } from "./cursor";
export { Partitions } from "./partitions";
export { TableBuffer } from "./table-buffer";
export type { TableDecoder } from "./types";
export { futuresTradesDecoder, mbp10Decoder, optionTradesDecoder, levelSignalsDecoder };

export const DECODERS: readonly TableDecoder[] = [futuresTradesDecoder, mbp10Decoder, optionTradesDecoder, levelSignalsDecoder];

export function decoderForSubject(subject: string): TableDecoder | undefined {
  return DECODERS.find((d) => d.subject === subject);
}

export function decoderForTable(table: string): TableDecoder {
  const d = DECODERS.find((x) => x.table === table);
  if (!d) throw new Error(`unknown ingest table "${table}" (expected ${DECODERS.map((x) => x.table).join(", ")})`);
  return d;
}
