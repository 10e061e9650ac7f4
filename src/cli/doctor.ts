/**
 * `lake doctor`: can this binary do its job here? Checks the embedded DuckDB, the batch
 * worker pool (with DuckDB inside a worker), the configuration and the tools the demo and
 * tests need, and that no test-only hook (LAKE_TEST_FAULTS) is switched on. Exit 1 if any
 * check fails; `--json` for scripts.
 */
import { defineCommand } from "citty";
import { S3Store } from "../storage";
import { loadConfig } from "../config";
import { LakeError, errorMessage } from "../errors";
import { duckConnect, duckdbLibraryPath } from "../runtime/duckdb-native";
import { openBatchPool } from "../app/pool";
import { isCompiled } from "../runtime/workers";
import { TEST_FAULTS_VAR, testFaults } from "../core/test-faults";
import { LAKE_VERSION } from "../version";
import { globalArgs, snakeKeys } from "./common";

interface Check {
  check: string;
  ok: boolean;
  detail: string;
}

async function attempt(check: string, fn: () => Promise<string> | string): Promise<Check> {
  try {
    return { check, ok: true, detail: await fn() };
  } catch (e) {
    return { check, ok: false, detail: errorMessage(e) };
  }
}

export default defineCommand({
  meta: { name: "doctor", description: "Check the binary and this machine: DuckDB, worker threads, config, nats-server" },
  args: { ...globalArgs },
  async run({ args }) {
    const checks: Check[] = [];
    checks.push({
      check: "lake",
      ok: true,
      detail: `v${LAKE_VERSION} on bun ${Bun.version} (${isCompiled() ? `binary ${process.execPath}` : "from source"})`,
    });
    checks.push(
      await attempt("duckdb", async () => {
        using conn = await duckConnect({ threads: 1 });
        const v = (await conn.runAndReadAll("select version()")).getRows()[0]![0];
        return `${v} (${duckdbLibraryPath()})`;
      }),
    );
    checks.push(
      await attempt("worker pool", async () => {
        await using pool = openBatchPool(1);
        const data = Float64Array.from({ length: 1000 }, (_, i) => i);
        const sum = await pool.run<number>("sum", data, { transfer: true });
        if (sum !== 499500) throw new Error(`worker returned ${sum}, expected 499500`);
        const v = await pool.run<string>("duckdb.version");
        return `batch worker ok (typed-array transfer, DuckDB ${v} in worker)`;
      }),
    );
    checks.push(
      await attempt("config", () => {
        const cfg = loadConfig({});
        const local = cfg.localRoot === cfg.dataRoot ? "" : `, Silver/Gold in ${cfg.localRoot ?? "none (set LAKE_LOCAL_ROOT)"}`;
        return `data root ${cfg.dataRoot}${cfg.useS3 ? " (S3)" : ""}${local}, NATS ${cfg.natsUrl}`;
      }),
    );
    const cfg = (() => {
      try {
        return loadConfig({});
      } catch {
        return null; // the config check above already failed and said why
      }
    })();
    if (cfg?.useS3) {
      checks.push(
        await attempt("s3 conditional writes", async () => {
          const store = new S3Store(cfg.s3!);
          const probe = await store.conditionalSupport();
          return probe.supported
            ? `${store.root}: ${probe.detail} (lock-free multi-writer updates on)`
            : `${store.root}: not enforced — ${probe.detail}; registry updates are refused, single writer only`;
        }),
      );
    }
    checks.push(
      await attempt("nats-server", () => {
        const path = Bun.which("nats-server");
        if (!path) throw new Error("not on PATH (needed by `lake demo` and the tests; install with apt-get install nats-server)");
        return path;
      }),
    );
    checks.push(
      await attempt("test hooks", () => {
        const faults = testFaults();
        if (faults.raw) throw new Error(`${TEST_FAULTS_VAR}=${faults.raw} is set: test-only fault injection is active (unset it outside tests)`);
        return `off (${TEST_FAULTS_VAR} unset)`;
      }),
    );
    if (args.json) console.log(JSON.stringify(snakeKeys({ ok: checks.every((c) => c.ok), checks }), null, 2));
    else {
      const w = Math.max(...checks.map((c) => c.check.length));
      for (const c of checks) console.log(`${c.ok ? "ok  " : "FAIL"}  ${c.check.padEnd(w)}  ${c.detail}`);
    }
    const failed = checks.filter((c) => !c.ok).map((c) => c.check);
    if (failed.length) throw new LakeError(`doctor: ${failed.length} check(s) failed: ${failed.join(", ")}`);
  },
});
