/** Public surface of the streaming ingest. */
export { BronzeWriter, type BronzeWriterOptions } from "./main/bronze-writer";
export { GoldWriter, type GoldWriterOptions } from "./main/gold-writer";
export { flattenLevelSignals } from "./worker/decode/flatten";
export { toWireJson } from "./worker/decode/wire-json";
export { DECODERS, decoderForSubject, decoderForTable, DecodeError, JsonCursor, TableBuffer, Partitions } from "./worker/decode/index";
export { readCommit, type CommitRecord } from "./common/commit";
