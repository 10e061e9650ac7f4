/**
 * WorkerPool from source: results, errors, crashes, bounds, transfers, Frames, abort, close.
 * (The same pool inside the compiled binary is exercised by test/build/binary.test.ts.)
 * The test.* tasks exist only behind LAKE_TEST_FAULTS=worker-tasks, set here for this file.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { LakeError } from "../../src/errors";
import { Frame } from "../../src/frame";
import { knownTaskNames } from "../../src/app/tasks";
import { openBatchPool } from "../../src/app/pool";
import { WorkerPool } from "../../src/runtime/pool";

/** The error a promise rejects with; fails the test if it resolves. */
async function rejected(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected the task to fail");
}

/** Runs `script` in a fresh process (killed after 20 s if it hangs): its stdout and exit code. */
async function exitsWith(script: string): Promise<{ out: string; code: number }> {
  const proc = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
  const killer = setTimeout(() => proc.kill("SIGKILL"), 20_000);
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  clearTimeout(killer);
  return { out: out.trim(), code };
}

const before = process.env.LAKE_TEST_FAULTS;
beforeAll(() => {
  process.env.LAKE_TEST_FAULTS = "worker-tasks";
});
afterAll(() => {
  if (before === undefined) delete process.env.LAKE_TEST_FAULTS;
  else process.env.LAKE_TEST_FAULTS = before;
});

describe("WorkerPool", () => {
  test("returns task results, including typed arrays and bigint sums", async () => {
    await using pool = new WorkerPool({ size: 2 });
    const payload = { name: "x", n: 3, values: Float64Array.of(1.5, -2, Number.NaN), nested: [{ k: "ü" }] };
    const back = await pool.run<typeof payload>("echo", payload);
    expect(back.name).toBe("x");
    expect(back.values).toBeInstanceOf(Float64Array);
    expect([...back.values]).toEqual([1.5, -2, Number.NaN]);
    expect(back.nested).toEqual([{ k: "ü" }]);
    expect(await pool.run("sum", BigInt64Array.of(2n ** 60n, 5n, -1n))).toBe(2n ** 60n + 4n);
    expect(await pool.run("sum", Float64Array.of(0.5, 0.25))).toBe(0.75);
  });

  test("a Frame crosses the thread boundary and arrives as a Frame", async () => {
    await using pool = new WorkerPool({ size: 1 });
    const frame = new Frame([
      { name: "ts_event_ns", type: "int64", values: BigInt64Array.of(1_700_000_000_000_000_001n, 2n) },
      { name: "px", type: "float64", values: Float64Array.of(5000.25, 5000.5), valid: Uint8Array.of(1, 0) },
      { name: "sym", type: "utf8", values: ["ESH6", null] },
    ]);
    const back = await pool.run<Frame>("echo", { frame, label: "day" }).then((r: any) => r.frame as Frame);
    expect(back).toBeInstanceOf(Frame);
    expect(back.numRows).toBe(2);
    expect(back.columns.map((c) => c.name)).toEqual(["ts_event_ns", "px", "sym"]);
    expect(back.columns[0]!.values).toEqual(BigInt64Array.of(1_700_000_000_000_000_001n, 2n));
    expect(back.columns[1]!.valid).toEqual(Uint8Array.of(1, 0));
    expect(back.columns[2]!.values).toEqual(["ESH6", null]);
  });

  test("transfer: true moves the payload's buffers to the worker instead of copying", async () => {
    await using pool = new WorkerPool({ size: 1 });
    const data = Float64Array.from({ length: 10_000 }, (_, i) => i);
    const sum = await pool.run<number>("sum", data, { transfer: true });
    expect(sum).toBe((9_999 * 10_000) / 2);
    expect(data.buffer.byteLength).toBe(0); // detached: it was moved, not copied
    const back = await pool.run<Int32Array>("echo.transfer", Int32Array.of(7, 8, 9));
    expect([...back]).toEqual([7, 8, 9]);
  });

  test("an error thrown by a task rejects run() with the task's message and keeps lake error classes", async () => {
    await using pool = new WorkerPool({ size: 1 });
    const plain = await rejected(pool.run("test.fail", { message: "bad date 2026-13-01" }));
    expect(plain).toBeInstanceOf(Error);
    expect(plain.message).toBe("bad date 2026-13-01");
    const lake = await rejected(pool.run("test.fail", { message: "bronze missing for 2026-01-05", kind: "LakeError" }));
    expect(lake).toBeInstanceOf(LakeError);
    expect(lake.exitCode).toBe(1);
    expect(lake.message).toBe("bronze missing for 2026-01-05");
    // The worker survived its task's error and serves the next task.
    expect(await pool.run("echo", 42)).toBe(42);
    expect(pool.stats()).toMatchObject({ failed: 2, crashed: 0, workers: 1 });
  });

  test("a worker that exits or dies of an uncaught exception rejects its task and is replaced", async () => {
    await using pool = new WorkerPool({ size: 1 });
    const exited = await rejected(pool.run("test.crash", { how: "exit" }));
    expect(exited).toBeInstanceOf(LakeError);
    expect(exited.message).toBe('worker crashed while running task "test.crash": worker exited with code 3');
    const thrown = await rejected(pool.run("test.crash", { how: "throw" }));
    expect(thrown.message).toBe('worker crashed while running task "test.crash": test.crash: uncaught exception in worker');
    expect(await pool.run("echo", "still working")).toBe("still working");
    expect(pool.stats()).toMatchObject({ crashed: 2, workers: 1, completed: 1 });
  });

  test("a crash fails only the task on the crashed worker; queued tasks still run", async () => {
    await using pool = new WorkerPool({ size: 2 });
    const results = await Promise.allSettled([
      pool.run("test.crash", { how: "exit" }),
      pool.run("echo", 1),
      pool.run("echo", 2),
      pool.run("echo", 3),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled", "fulfilled"]);
    expect(results.slice(1).map((r) => (r as PromiseFulfilledResult<number>).value)).toEqual([1, 2, 3]);
  });

  test("test tasks are unknown unless LAKE_TEST_FAULTS enables them", async () => {
    process.env.LAKE_TEST_FAULTS = "";
    try {
      await using pool = openBatchPool(1);
      const err = await rejected(pool.run("test.crash", { how: "exit" }));
      expect(err).toBeInstanceOf(LakeError);
      expect(err.message).toStartWith('unknown task "test.crash"');
      expect(err.message).not.toContain("test.sleep");
    } finally {
      process.env.LAKE_TEST_FAULTS = "worker-tasks";
    }
  });

  test("runs `size` tasks at the same time when that many are queued", async () => {
    for (const size of [2, 3]) {
      await using pool = new WorkerPool({ size });
      const counter = new Int32Array(new SharedArrayBuffer(4)); // tasks arrived at the barrier
      // each task waits (up to a generous deadline) until `size` tasks are inside the workers at once
      const met = await Promise.all(Array.from({ length: size }, () => pool.run<boolean>("test.barrier", { counter, parties: size, timeoutMs: 60_000 })));
      expect(met).toEqual(Array(size).fill(true));
      expect(pool.stats().workers).toBe(size);
    }
  }, 180_000);

  test("never runs more tasks at once than its size", async () => {
    await using pool = new WorkerPool({ size: 2 });
    const counter = new Int32Array(new SharedArrayBuffer(8)); // [running, max running seen]
    const seen = await Promise.all(Array.from({ length: 6 }, () => pool.run<number>("test.concurrency", { counter, ms: 60 })));
    expect(seen).toHaveLength(6);
    expect(Math.max(...seen)).toBeLessThanOrEqual(2);
    expect(Atomics.load(counter, 1)).toBeLessThanOrEqual(2);
    expect(Atomics.load(counter, 0)).toBe(0);
    expect(pool.stats().workers).toBeLessThanOrEqual(2);
    const indices = await Promise.all([0, 1, 2, 3].map(() => pool.run<number>("test.sleep", { ms: 5 })));
    expect(indices.every((i) => i === 0 || i === 1)).toBe(true);
  });

  test("runs DuckDB inside a worker", async () => {
    await using pool = new WorkerPool({ size: 1 });
    expect(await pool.run<string>("duckdb.version")).toMatch(/^v\d+\.\d+\.\d+/);
  });

  test("workers see the environment as it is when they start (e.g. a --log-level override)", async () => {
    const name = `LAKE_TEST_POOL_ENV_${process.pid}`;
    process.env[name] = "set-after-process-start";
    try {
      await using pool = new WorkerPool({ size: 1 });
      expect(await pool.run("test.env", { name })).toBe("set-after-process-start");
    } finally {
      delete process.env[name];
    }
  });

  test("forwards progress reports to onProgress", async () => {
    await using pool = new WorkerPool({ size: 1 });
    const ticks: unknown[] = [];
    const n = await pool.run<number>("test.progress", { n: 3 }, { onProgress: (p) => ticks.push(p) });
    expect(n).toBe(3);
    expect(ticks).toEqual([
      { done: 1, total: 3 },
      { done: 2, total: 3 },
      { done: 3, total: 3 },
    ]);
  });

  test("unknown task names are rejected up front with the list of known tasks", async () => {
    await using pool = new WorkerPool({ size: 1, knownTasks: knownTaskNames() });
    const err = await rejected(pool.run("no.such.task", {}));
    expect(err).toBeInstanceOf(LakeError);
    expect(err.message).toStartWith('unknown task "no.such.task" (known: ');
    expect(err.message).toContain("echo");
    expect(pool.stats().workers).toBe(0);
  });

  test("abort drops a queued task and stops a running one without breaking the pool", async () => {
    await using pool = new WorkerPool({ size: 1 });
    const running = new AbortController();
    const queued = new AbortController();
    const p1 = rejected(pool.run("test.sleep", { ms: 10_000 }, { signal: running.signal }));
    const p2 = rejected(pool.run("test.sleep", { ms: 10_000 }, { signal: queued.signal }));
    queued.abort("user cancelled");
    expect((await p2).message).toBe('task "test.sleep" aborted: user cancelled');
    running.abort(new Error("deadline"));
    expect((await p1).message).toBe('task "test.sleep" aborted: deadline');
    expect(await pool.run("echo", "after abort")).toBe("after abort");
  });

  test("close() rejects queued and running tasks; run() after close rejects", async () => {
    const pool = new WorkerPool({ size: 1 });
    const running = rejected(pool.run("test.sleep", { ms: 10_000 }));
    const waiting = rejected(pool.run("echo", 1));
    await pool.close();
    expect((await running).message).toBe('worker pool closed while task "test.sleep" was running');
    expect((await waiting).message).toBe('worker pool closed before task "echo" ran');
    expect((await rejected(pool.run("echo", 1))).message).toBe('worker pool is closed (task "echo")');
    expect(pool.stats().workers).toBe(0);
  });

  test("a payload that cannot cross threads is rejected with a clear message", async () => {
    await using pool = new WorkerPool({ size: 1 });
    const err = await rejected(pool.run("echo", { callback: () => 1 }));
    expect(err.message).toStartWith('task "echo": payload cannot be sent to a worker: ');
    expect(await pool.run("echo", "next")).toBe("next");
  });

  test("a task lends work to an idle worker; declined when none is idle, tasks wait or the task is unknown; a lent failure reaches the lender", async () => {
    {
      await using pool = openBatchPool(2);
      expect(await pool.run("test.lend", { task: "echo", payload: { a: [1, 2] } })).toEqual({ ran: true, value: { a: [1, 2] } });
      expect(await rejected(pool.run("test.lend", { task: "test.fail", payload: { message: "lent and failed" } }))).toMatchObject({ message: "lent and failed" });
      // both workers busy (one lending, one sleeping), a task waiting: the lend is declined
      const sleeping = pool.run("test.sleep", { ms: 400 });
      const queued = pool.run("test.sleep", { ms: 1 });
      expect(await pool.run("test.lend", { task: "echo", payload: 1 })).toEqual({ ran: false });
      await Promise.all([sleeping, queued]);
      expect(await pool.run("test.lend", { task: "no.such.task", payload: 1 })).toEqual({ ran: false });
    }
    await using single = openBatchPool(1);
    expect(await single.run("test.lend", { task: "echo", payload: 1 })).toEqual({ ran: false });
  });

  test("prestart() starts every worker at once, and they still do not keep the process alive", async () => {
    const script = `
      import { WorkerPool } from ${JSON.stringify(new URL("../../src/runtime/pool.ts", import.meta.url).pathname)};
      const pool = new WorkerPool({ size: 2 }).prestart();
      console.log(pool.stats().workers, await pool.run("echo", "done"));
    `;
    expect(await exitsWith(script)).toEqual({ out: "2 done", code: 0 });
  });

  test("rejects a size that is not a positive integer", () => {
    expect(() => new WorkerPool({ size: 0 })).toThrow("WorkerPool size must be a positive integer, got 0");
    expect(() => new WorkerPool({ size: 1.5 })).toThrow("got 1.5");
  });

  test("idle workers do not keep the process alive when the pool is never closed", async () => {
    const script = `
      import { WorkerPool } from ${JSON.stringify(new URL("../../src/runtime/pool.ts", import.meta.url).pathname)};
      const pool = new WorkerPool({ size: 2 });
      console.log(await pool.run("echo", "done"));
    `;
    expect(await exitsWith(script)).toEqual({ out: "done", code: 0 });
  });
});
