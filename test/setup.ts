/**
 * Preloaded before every test file (bunfig.toml). Integration tests start real
 * nats-server / s3rver processes, DuckDB and `lake serve` subprocesses: on a loaded
 * 2-core machine Bun's 5 s default per test is not enough.
 *
 * Bun 1.4.5 resets the default timeout for every test file and applies neither bunfig's
 * `[test] timeout` nor a `setDefaultTimeout` made here to any file but the first. So each
 * test file gets the call itself: this loader prefixes it to the file's first line (same
 * line, so reported line numbers stay right). A test's own timeout argument still wins.
 */
import { plugin } from "bun";

const DEFAULT_TEST_TIMEOUT_MS = 120_000;

plugin({
  name: "lake-test-default-timeout",
  setup(build) {
    build.onLoad({ filter: /\.test\.ts$/ }, async ({ path }) => ({
      contents:
        `import { setDefaultTimeout as __lakeSetDefaultTimeout } from "bun:test"; __lakeSetDefaultTimeout(${DEFAULT_TEST_TIMEOUT_MS}); ` +
        (await Bun.file(path).text()),
      loader: "ts",
    }));
  },
});
