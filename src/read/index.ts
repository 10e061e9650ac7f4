/** Readers and query engine (contracts §6): DuckDB over the lake, columnar Frame results. */
export { duckQuery, duckStream, DuckSession, QueryError, type SqlParam, type SqlParams } from "./duck";
export { BronzeReader, RollContaminatedError, type FuturesReadOptions, type ReadReport, type TimeRange } from "./bronze-reader";
export { GoldReader, type SignalReadOptions } from "./gold-reader";
export { ContractSelector, ContractNotFoundError, type ContractSelection, type ContractVolume, type SelectionMetric } from "./futures-contracts";
export { esFrontMonth, esFrontMonthCode, validateContract, rthWindow, thirdFriday, zonedTimeToUtcNs, type EsContract } from "../core/time/es-calendar";
export { LakeFiles, type LakeFile, type LakeLocation } from "./lake-files";
export { frameToParquet } from "./frame-export";
export { frameToArrow, frameToArrowIPC } from "./frame-arrow";
export { LAKE_VIEWS, registerViews } from "./views";
