/**
 * Errors a user can act on. Raised where the problem is known, reported once at the
 * CLI edge (src/main.ts) as one line on stderr with the exit code below.
 */
export class LakeError extends Error {
  /** 1 = runtime failure, 2 = usage (bad flag, bad argument). */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = "LakeError";
    this.exitCode = exitCode;
  }
}

/** Bad command-line usage or argument value: exit 2. */
export class UsageError extends LakeError {
  constructor(message: string) {
    super(message, 2);
    this.name = "UsageError";
  }
}

/**
 * Invalid configuration value; names the variable or flag and what was expected.
 * Exit 2 when a flag is wrong (usage), 1 when the environment is (the command line was fine).
 */
export class ConfigError extends LakeError {
  constructor(message: string, exitCode = 2) {
    super(message, exitCode);
    this.name = "ConfigError";
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
