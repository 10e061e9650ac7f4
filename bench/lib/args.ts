/** Small helpers every bench uses: numeric `--name N` flags and the median of repeated runs. */

/** `--name N` from the command line, or `dflt` when the flag is absent. */
export function numberFlag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

/** The upper median (the middle element after sorting; no averaging of the two middles). */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}
