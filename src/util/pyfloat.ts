/**
 * Python `repr(float)` of a finite number — the one implementation behind both the wire
 * JSON of the simulator (`src/sim/pyjson.ts`, lake-contracts §1.4) and the FeatureManifest
 * YAML (`src/silver/yaml.ts`, contracts §4.2). JS numbers do not remember int vs float, so
 * `6845` prints as `6845.0`; shortest round-trip digits; exponent form (sign, at least two
 * digits) below 1e-4 and from 1e16. Non-finite values are spelled differently by JSON
 * (`NaN`) and YAML (`.nan`), so each caller handles those itself.
 */
export function pyFloatRepr(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return Object.is(x, -0) ? "-0.0" : `${x}.0`;
  const ax = Math.abs(x);
  if (ax >= 1e-4 && ax < 1e16) return String(x); // JS and Python agree on fixed notation here
  const [mant, exp] = x.toExponential().split("e") as [string, string]; // shortest round-trip digits, e.g. "1.5e-7"
  const n = Number(exp);
  return `${mant}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
}
