/**
 * Preloaded before every test file (bunfig.toml). Integration tests start real
 * nats-server / s3rver processes, DuckDB and `lake serve` subprocesses: on a loaded
 * 2-core machine a few seconds is not enough, so the per-test default is raised here
 * (bunfig's own `timeout` key is not applied by this Bun version).
 */
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(120_000);
