/**
 * Serialise a JS value the way the Python publisher does (contracts §1.4): bare NaN /
 * Infinity / -Infinity tokens and exact bigint integers. Used by the class API
 * (GoldWriter.writeLevelSignals with an object), the simulator-facing tests and benches.
 */
const MARK = "\u0000lake:";

export function toWireJson(value: unknown): string {
  const s = JSON.stringify(value, (_k, v) => {
    if (typeof v === "bigint") return `${MARK}${v.toString()}`;
    if (typeof v === "number" && !Number.isFinite(v)) return `${MARK}${Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity"}`;
    return v;
  });
  return s.includes("\\u0000lake:") ? s.replace(/"\\u0000lake:([^"]*)"/g, "$1") : s;
}
