#!/usr/bin/env bun
/**
 * Entry point of the `lake` binary. Errors are reported once, in src/cli/run.ts:
 * usage problems → usage on stderr, exit 2; runtime failures → one line on stderr, exit 1.
 */
// citty decides about colours when it is first imported: keep escape codes out of pipes,
// files and CI logs (tests read our usage text). Must run before run.ts is imported.
if (!process.stdout.isTTY || !process.stderr.isTTY) process.env.NO_COLOR ??= "1";

export {};
const { runCli } = await import("./cli/run");
process.exitCode = await runCli(process.argv.slice(2));
