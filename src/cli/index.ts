/**
 * The command tree. Each command lives in its own file and is loaded lazily so
 * `lake --help` stays fast and one command's dependencies never load for another.
 */
import { defineCommand, type CommandDef } from "citty";
import { LAKE_VERSION } from "../version";

type Lazy = () => Promise<CommandDef<any>>;
const lazy = (load: () => Promise<{ default: CommandDef<any> }>): Lazy => () => load().then((m) => m.default);

export const subCommands: Record<string, Lazy> = {
  config: lazy(() => import("./config")),
  simulate: lazy(() => import("./simulate")),
  replay: lazy(() => import("./replay")),
  import: lazy(() => import("./import")),
  duckdb: lazy(() => import("./duckdb")),
  doctor: lazy(() => import("./doctor")),
  query: lazy(() => import("./query")),
  bronze: lazy(() => import("./bronze")),
  contracts: lazy(() => import("./futures-contracts")),
  silver: lazy(() => import("./silver")),
  gold: lazy(() => import("./gold")),
  demo: lazy(() => import("./demo")),
  serve: lazy(() => import("./serve")),
  status: lazy(() => import("./status")),
  ingest: lazy(() => import("./ingest")),
  completion: lazy(() => import("./completion")),
  report: lazy(() => import("./report")),
  compact: lazy(() => import("./compact")),
  worker: lazy(() => import("./worker")),
};

export const mainCommand = defineCommand({
  meta: {
    name: "lake",
    version: LAKE_VERSION,
    description: "Bun-native lakehouse for ES market data: NATS JetStream → Bronze / Silver / Gold Parquet",
  },
  subCommands,
});
