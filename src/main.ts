#!/usr/bin/env bun
/**
 * Entry point of the `lake` binary. Errors are reported once, in src/cli/run.ts:
 * usage problems → usage on stderr, exit 2; runtime failures → one line on stderr, exit 1.
 */
// Batch commands restart once, first thing, with the allocator keeping freed memory (src/runtime/allocator.ts).
const { reexecForBatch } = await import("./runtime/allocator");
reexecForBatch(process.argv.slice(2));

// citty decides about colours when it is first imported: keep escape codes out of pipes,
// files and CI logs (tests read our usage text). Must run before run.ts is imported.
if (!process.stdout.isTTY || !process.stderr.isTTY) process.env.NO_COLOR ??= "1";

// `lake … | head`: a reader that has seen enough closes the pipe; like any Unix filter we stop
// quietly instead of reporting a broken pipe (or crashing on a write still in flight).
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

export {};
const { runCli } = await import("./cli/run");
process.exitCode = await runCli(process.argv.slice(2));
