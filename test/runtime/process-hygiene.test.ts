/**
 * Helper processes started through testkit/processes.ts never outlive the test
 * process: not on a normal exit that forgot to stop them, not when it is SIGKILLed.
 */
import { describe, expect, test } from "bun:test";
import { spawnService, waitForListening } from "../../testkit/processes";
import { freePort } from "../../testkit/net";
import { startNats } from "../../testkit/nats";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";

const HELPERS = new URL("../../testkit/processes.ts", import.meta.url).pathname;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers kill(0); it is dead for our purposes.
    const stat = require("node:fs").readFileSync(`/proc/${pid}/stat`, "utf8") as string;
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await Bun.sleep(25);
  }
  return !alive(pid);
}

/** Run a parent script that starts `sleep 1000` via spawnService, prints its pid, then ends as told. */
async function orphanAfter(ending: string): Promise<number> {
  const script = `
    import { spawnService } from ${JSON.stringify(HELPERS)};
    const child = spawnService(["sleep", "1000"]);
    console.log(child.pid);
    await Bun.sleep(100);
    ${ending}
  `;
  const parent = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "inherit" });
  const out = await new Response(parent.stdout).text();
  await parent.exited;
  return Number(out.trim().split("\n")[0]);
}

describe("test helper processes", () => {
  test("are killed when the test process is SIGKILLed", async () => {
    const pid = await orphanAfter(`process.kill(process.pid, "SIGKILL");`);
    expect(pid).toBeGreaterThan(0);
    expect(await gone(pid, 5_000)).toBe(true);
  });

  test("are killed when the test process exits without stopping them", async () => {
    const pid = await orphanAfter(`process.exit(0);`);
    expect(await gone(pid, 5_000)).toBe(true);
  });

  test("waitForListening fails fast when the process exits before listening", async () => {
    const proc = spawnService(["sh", "-c", "exit 3"]);
    await expect(waitForListening(proc, await freePort(), 10_000, "fake-server")).rejects.toThrow(
      /^fake-server exited \(3\) before listening on 127\.0\.0\.1:\d+$/,
    );
  });

  test("waitForListening kills a process that never listens", async () => {
    const proc = spawnService(["sleep", "1000"]);
    await expect(waitForListening(proc, await freePort(), 300, "silent-server")).rejects.toThrow("did not listen");
    expect(proc.signalCode).toBe("SIGKILL");
  });
});

describe("startNats that cannot start", () => {
  test("leaves no server, store or log behind, and says why", async () => {
    // the chosen port is held by a plain TCP listener, so nats-server cannot bind it
    const held = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const ours = () => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith("lake-nats-")));
    const before = ours();
    try {
      const err = await startNats({ port: held.port }).then(() => null, (e: Error) => e);
      expect(err?.message).toContain("nats-server log:");
      expect([...ours()].filter((n) => !before.has(n))).toEqual([]);
    } finally {
      held.stop(true);
    }
  }, 30_000);
});
