/**
 * What a failed `lake demo` run says about itself: its stderr, the report's verdict and the
 * tail of each child's log (serve, simulate, nats-server, s3rver), so a failure in CI can be
 * read from the test output alone.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export function demoOutcome(code: number | null, report: { ok?: boolean }, err: string, demoDir: string) {
  if (code === 0 && report.ok === true) return { code, ok: true, detail: "" };
  const logs = join(demoDir, "logs");
  const tails = existsSync(logs)
    ? readdirSync(logs).map((f) => `--- ${f}\n${readFileSync(join(logs, f), "utf8").slice(-2000)}`)
    : [];
  return { code, ok: report.ok, detail: [err.slice(-1500), JSON.stringify(report).slice(0, 3000), ...tails].join("\n") };
}
