#!/usr/bin/env bun
/**
 * Entry point of the `lake` binary. Errors are reported once, here:
 * usage problems → usage on stderr, exit 2; runtime failures → one line on stderr, exit 1.
 */
import { runCli } from "./cli/run";

process.exitCode = await runCli(process.argv.slice(2));
