import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isBatchCommand, PURGE_ENV } from "../../src/runtime/allocator";
import { lakeBinary } from "../../testkit/lake-binary";

describe("batch commands restart with the allocator keeping freed memory", () => {
  test("which commands", () => {
    for (const args of [["simulate", "--to", "bronze"], ["import", "dbn", "f.dbn"], ["compact"], ["silver"], ["silver", "--force"], ["silver", "--dates", "2026-03-05"], ["silver", "build"], ["silver", "verify", "es_pipeline"]]) {
      expect({ args, batch: isBatchCommand(args) }).toEqual({ args, batch: true });
    }
    for (const args of [[], ["--version"], ["serve"], ["query", "select 1"], ["silver", "status"], ["silver", "list"], ["simulate", "--help"], ["compact", "--dry-run"], ["bronze", "read"]]) {
      expect({ args, batch: isBatchCommand(args) }).toEqual({ args, batch: false });
    }
  });

  test("the restart keeps the PID and the arguments, adds only the allocator setting, and keeps exit codes", async () => {
    const bin = await lakeBinary();
    const dir = mkdtempSync(join(tmpdir(), "lake-alloc-"));
    const env = { ...process.env, [PURGE_ENV]: undefined, LAKE_MARK: "kept" };
    // a day of seconds of work: long enough to look at the running process
    const day = (root: string) => [bin, "simulate", "--to", "bronze", "--data-root", join(dir, root), "--from", "2026-03-02", "--days", "1", "--mbp-rate", "400"];
    const environOf = async (pid: number, want: string) => {
      let vars: string[] = [];
      for (let i = 0; i < 200 && !vars.some((v) => v.startsWith(`${PURGE_ENV}=`) || v === want); i++) {
        await Bun.sleep(25);
        vars = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      }
      return vars;
    };
    try {
      const p = Bun.spawn(day("a"), { env, stdout: "pipe", stderr: "pipe" });
      const vars = await environOf(p.pid, `${PURGE_ENV}=-1`);
      expect(vars).toContain(`${PURGE_ENV}=-1`);
      expect(vars).toContain("LAKE_MARK=kept");
      expect(readFileSync(`/proc/${p.pid}/cmdline`, "utf8").split("\0").slice(1, 4)).toEqual(["simulate", "--to", "bronze"]);
      p.kill("SIGKILL"); // the PID spawned is the process doing the work
      expect(await p.exited).not.toBe(0);

      // a setting of one's own is respected (no restart)
      const own = Bun.spawn(day("b"), { env: { ...env, [PURGE_ENV]: "100" }, stdout: "pipe", stderr: "pipe" });
      await Bun.sleep(300);
      expect(readFileSync(`/proc/${own.pid}/environ`, "utf8").split("\0")).toContain(`${PURGE_ENV}=100`);
      own.kill("SIGKILL");
      await own.exited;

      // an error's message and exit code are the command's own, restarted or not
      const missing = [bin, "import", "dbn", "--data-root", join(dir, "lake"), join(dir, "missing.dbn")];
      const restarted = Bun.spawnSync(missing, { env, stderr: "pipe" });
      const direct = Bun.spawnSync(missing, { env: { ...env, [PURGE_ENV]: "10" }, stderr: "pipe" });
      expect(restarted.exitCode).not.toBe(0);
      expect(restarted.stderr.toString()).toContain("missing.dbn");
      expect([restarted.exitCode, restarted.stderr.toString()]).toEqual([direct.exitCode, direct.stderr.toString()]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
