/**
 * JSON text exactly as the predecessor's publishers produced it with Python's `json.dumps`
 * (contracts §1.4): `", "` and `": "` separators, floats in Python `repr` form
 * (`6845.0`, not `6845`; exponent below 1e-4 and from 1e16), bare `NaN` / `Infinity`
 * tokens, integers (including int64 ns timestamps) printed exactly from bigint.
 *
 * JS numbers do not remember whether they were ints or floats, so callers say which:
 * `pyFloat` for float fields, `pyInt` for integer fields; `pyDumps` takes the set of keys
 * whose numbers are integers.
 */
import { pyFloatRepr } from "../core/pyformat";

export function pyFloat(x: number): string {
  if (Number.isFinite(x)) return pyFloatRepr(x);
  return Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
}

export function pyInt(x: number | bigint): string {
  return typeof x === "bigint" ? x.toString() : String(Math.trunc(x));
}

const PLAIN = /^[\x20-\x7e]*$/;
const NEEDS_ESCAPE = /["\\]/;

export function pyStr(s: string): string {
  if (PLAIN.test(s) && !NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  // JSON.stringify escapes exactly like json.dumps(ensure_ascii=True) for ASCII text;
  // non-ASCII is escaped as \uXXXX by Python, so do the same.
  const j = JSON.stringify(s);
  return /[^\x00-\x7f]/.test(j) ? j.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`) : j;
}

/** Serialise a plain object tree; numbers under a key in `intKeys` print as integers, others as floats. */
export function pyDumps(value: unknown, intKeys: ReadonlySet<string>, key = ""): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "number":
      return intKeys.has(key) ? pyInt(value) : pyFloat(value);
    case "string":
      return pyStr(value);
  }
  if (Array.isArray(value)) {
    let s = "[";
    for (let i = 0; i < value.length; i++) s += (i ? ", " : "") + pyDumps(value[i], intKeys, key);
    return s + "]";
  }
  let s = "{";
  let first = true;
  const obj = value as Record<string, unknown>;
  for (const k in obj) {
    s += (first ? '"' : ', "') + k + '": ' + pyDumps(obj[k], intKeys, k); // keys are plain ASCII identifiers
    first = false;
  }
  return s + "}";
}
