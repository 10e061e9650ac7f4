/** Public surface of the streaming ingest (issue #3). */
export { BronzeWriter, type BronzeWriterOptions } from "./bronze-writer";
export { GoldWriter, type GoldWriterOptions } from "./gold-writer";
export { flattenLevelSignals } from "./decode/flatten";
export { toWireJson } from "./decode/wire-json";
export { DECODERS, decoderForSubject, decoderForTable, DecodeError, JsonCursor, TableBuffer, Partitions } from "./decode/index";
export { readCommit, type CommitRecord } from "./commit";
