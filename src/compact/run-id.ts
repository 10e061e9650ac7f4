/** Run ids of compaction-protocol writers (compaction, dedupe, day switches). */

/**
 * `{yyyymmddThhmmss}-{kind}{pid+random}`: sorts by time, unique across processes. Kind `s`
 * marks a day switch, whose outputs readers may resolve through its switch record.
 */
export function newRunId(kind: "c" | "s" = "c"): string {
  const iso = new Date().toISOString();
  const stamp = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + "T" + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
  const rnd = Math.floor(Math.random() * 0xffffff).toString(36);
  return `${stamp}-${kind}${process.pid.toString(36)}${rnd}`;
}
