/**
 * A small block-style YAML emitter that reproduces what the predecessor's PyYAML
 * `safe_dump(sort_keys=False)` writes for a FeatureManifest (contracts §4.2): keys in
 * insertion order, sequences not indented under their key, `[]`/`{}` for empties,
 * floats in Python repr (`2.0`, `1e-05`), and single quotes around every string a
 * YAML 1.1 loader would re-read as something else (timestamps, numbers, booleans, null).
 * Reading goes through Bun.YAML.parse; only writing needs to be exact.
 */
import { pyFloatRepr } from "../core/pyformat";

/** Marks a number that must be written as a float (`2.0`, not `2`) — JS has one number type. */
export class YamlFloat {
  constructor(readonly value: number) {}
}

export type YamlValue = null | boolean | number | string | YamlFloat | YamlValue[] | { [k: string]: YamlValue };

const RESOLVES_AS_OTHER = [
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/, // bool 1.1
  /^(?:~|null|Null|NULL)$/, // null
  /^[-+]?(?:0b[0-1_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)$/, // int 1.1
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9.]*(?:[eE][-+][0-9]+)?$/, // float 1.1
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/, // sexagesimal float
  /^[-+]?\.(?:inf|Inf|INF)$/,
  /^\.(?:nan|NaN|NAN)$/,
  /^\d{4}-\d\d?-\d\d?(?:(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?)?$/, // timestamp
  /^\d{4}-\d\d-\d\d$/,
  /^(?:<<|=)$/, // merge / value keys
];

function needsQuotes(s: string): boolean {
  if (s === "") return true;
  if (RESOLVES_AS_OTHER.some((r) => r.test(s))) return true;
  if (/^[\s\-?:,\[\]{}#&*!|>'"%@`]/.test(s) && !/^-[^\s]/.test(s)) return true;
  if (/^[?:-]$/.test(s) || /^[-?:]\s/.test(s)) return true;
  if (/\s$/.test(s) || /:$/.test(s)) return true;
  if (s.includes(": ") || s.includes(" #") || /[\n\r\t\u0000-\u001f\u007f]/.test(s)) return true;
  return false;
}

function scalarString(s: string): string {
  if (/[\n\r\u0000-\u0008\u000b-\u001f\u007f]/.test(s)) return JSON.stringify(s); // double-quoted escapes
  return needsQuotes(s) ? `'${s.replaceAll("'", "''")}'` : s;
}

/** Python float repr (`src/core/pyformat.ts`) with YAML's spelling of nan/inf. */
export function pyFloat(v: number): string {
  if (Number.isFinite(v)) return pyFloatRepr(v);
  return Number.isNaN(v) ? ".nan" : v > 0 ? ".inf" : "-.inf";
}

function scalar(v: YamlValue): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof YamlFloat) return pyFloat(v.value);
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : pyFloat(v);
  if (typeof v === "string") return scalarString(v);
  if (Array.isArray(v) && v.length === 0) return "[]";
  if (!Array.isArray(v) && Object.keys(v).length === 0) return "{}";
  throw new Error("not a scalar");
}

function isScalar(v: YamlValue): boolean {
  if (v === null || typeof v !== "object" || v instanceof YamlFloat) return true;
  return Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;
}

function emitMap(m: { [k: string]: YamlValue }, indent: string, out: string[], firstPrefix?: string): void {
  let first = true;
  for (const [k, v] of Object.entries(m)) {
    const pre = first && firstPrefix !== undefined ? firstPrefix : indent;
    first = false;
    const key = scalarString(k);
    if (isScalar(v)) out.push(`${pre}${key}: ${scalar(v)}`);
    else if (Array.isArray(v)) {
      out.push(`${pre}${key}:`);
      emitSeq(v, indent, out); // PyYAML does not indent a sequence under its key
    } else {
      out.push(`${pre}${key}:`);
      emitMap(v as { [k: string]: YamlValue }, indent + "  ", out);
    }
  }
}

function emitSeq(a: YamlValue[], indent: string, out: string[]): void {
  for (const item of a) {
    if (isScalar(item)) out.push(`${indent}- ${scalar(item)}`);
    else if (Array.isArray(item)) {
      out.push(`${indent}-`);
      emitSeq(item, indent + "  ", out);
    } else emitMap(item as { [k: string]: YamlValue }, indent + "  ", out, `${indent}- `);
  }
}

/** Serialise a top-level mapping as block YAML ending in a newline. */
export function toBlockYaml(doc: { [k: string]: YamlValue }): string {
  const out: string[] = [];
  emitMap(doc, "", out);
  return out.join("\n") + "\n";
}
