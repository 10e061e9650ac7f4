/** Python's formatting of floats, where output must match the predecessor's text byte for byte. */

/**
 * Python `repr(float)` of a finite number — the one implementation behind both the wire
 * JSON of the simulator (`src/sim/pyjson.ts`, contracts §1.4) and the FeatureManifest
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

/**
 * Python `round(x, 2)` as a canonical decimal string (used only as an equality key for
 * level de-duplication and prior_touches, §6.1 / §5.14). Python rounds the exact binary
 * value with ties to even. `toFixed` also rounds the exact binary value but breaks exact
 * ties upward; exact ties exist only when x·200 is an odd integer and x is dyadic with ≤ 3
 * fraction bits (so x·200 is computed exactly), which we detect and settle to even.
 */
export function pyRound2Key(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const t = x * 200;
  if (Number.isInteger(t) && Number.isInteger(x * 8) && Math.abs(t % 2) === 1) {
    const lo = (t - 1) / 2; // candidates lo/100 and (lo+1)/100 in hundredths
    const hundredths = lo % 2 === 0 ? lo : lo + 1;
    return normaliseZero((hundredths / 100).toFixed(2));
  }
  return normaliseZero(x.toFixed(2));
}

function normaliseZero(s: string): string {
  return s === "-0.00" ? "0.00" : s;
}
