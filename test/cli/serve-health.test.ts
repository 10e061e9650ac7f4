/**
 * `lake serve --metrics-port`: /healthz answers 200 while NATS is up and the consumers keep
 * up, 503 naming the problem once NATS is gone; /metrics carries the NATS connected gauge;
 * --metrics-host picks the interface. Compiled ./lake, real nats-server.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNats } from "../../testkit/nats";
import { freePort } from "../../testkit/net";
import { spawnService } from "../../testkit/processes";
import { cleanEnv, lakeBinary } from "../../testkit/lake-binary";

const work = mkdtempSync(join(tmpdir(), "lake-health-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function until<T>(what: string, fn: () => Promise<T | null>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(200);
  }
}

describe("lake serve health", () => {
  test("/healthz 200 while healthy, 503 naming NATS when it is gone; /metrics has lake_nats_connected", async () => {
    await using nats = await startNats();
    const port = await freePort();
    const serve = spawnService([await lakeBinary(), "serve", "--data-root", join(work, "lake"), "--nats-url", nats.url, "--metrics-port", String(port), "--metrics-host", "127.0.0.1"], { env: cleanEnv(), stderr: "pipe" });
    try {
      const base = `http://127.0.0.1:${port}`;
      const ok = await until("a healthy /healthz", async () => {
        const r = await fetch(`${base}/healthz`);
        return r.status === 200 ? ((await r.json()) as { ok: boolean; nats: string; consumers: unknown[] }) : null;
      });
      expect(ok).toMatchObject({ ok: true, nats: "connected" });
      expect(ok.consumers).toHaveLength(4);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain("lake_nats_connected 1");
      expect(metrics).toContain("process_cpu_seconds_total");

      await nats.stop();
      const down = await until("an unhealthy /healthz", async () => {
        const r = await fetch(`${base}/healthz`);
        return r.status === 503 ? ((await r.json()) as { ok: boolean; nats: string }) : null;
      });
      expect(down).toMatchObject({ ok: false, nats: "disconnected" });
      expect(await (await fetch(`${base}/metrics`)).text()).toContain("lake_nats_connected 0");
    } finally {
      serve.kill("SIGTERM");
      await Promise.race([serve.exited, Bun.sleep(40_000)]);
      if (serve.exitCode === null) serve.kill("SIGKILL");
    }
  });

  test("--metrics-host without --metrics-port, or an address not on this machine, is refused (exit 2)", async () => {
    const bin = await lakeBinary();
    const run = (args: string[]) => Bun.spawnSync([bin, "serve", "--data-root", join(work, "lake2"), "--nats-url", "nats://127.0.0.1:1", ...args], { env: cleanEnv(), timeout: 30_000 });
    const alone = run(["--metrics-host", "127.0.0.1"]);
    expect(alone.exitCode).toBe(2);
    expect(alone.stderr.toString()).toContain("--metrics-host needs --metrics-port");
    const foreign = run(["--metrics-port", String(await freePort()), "--metrics-host", "192.0.2.1"]);
    expect(foreign.exitCode).toBe(2);
    expect(foreign.stderr.toString()).toContain("cannot listen on 192.0.2.1");
  });
});
