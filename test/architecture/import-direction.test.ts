/**
 * Every import in src/ and workers/ follows the layer order declared in src/layers.ts, and
 * bench/ and test/ stay apart (shared test tooling lives in testkit/).
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { LAYERS, placeOf } from "../../src/layers";

const ROOT = resolve(import.meta.dir, "../..");

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })) {
    if (e.isFile() && /\.(ts|tsx|js|mjs)$/.test(e.name) && !e.parentPath.includes("node_modules")) out.push(relative(ROOT, join(e.parentPath, e.name)));
  }
  return out.sort();
}

/** Source with comments blanked out (string and template literals kept), so examples in comments do not count. */
function withoutComments(src: string): string {
  let out = "";
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === "/" && next === "/") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = src.indexOf("*/", i + 2);
      i = end < 0 ? src.length : end + 2;
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === "\\" ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(["'])([^"'\n]+)\1/g;

/** Relative import specifiers of a file, resolved to repository paths. */
function importsOf(file: string): { spec: string; target: string }[] {
  const src = withoutComments(readFileSync(join(ROOT, file), "utf8"));
  const out: { spec: string; target: string }[] = [];
  for (const m of src.matchAll(IMPORT)) {
    const spec = m[2]!;
    if (!spec.startsWith(".")) continue; // packages and node: builtins
    out.push({ spec, target: resolveTarget(file, spec) });
  }
  return out;
}

function resolveTarget(file: string, spec: string): string {
  const base = resolve(ROOT, dirname(file), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.d.ts`, join(base, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return relative(ROOT, candidate);
  }
  return relative(ROOT, base);
}

describe("import direction", () => {
  const files = [...sourceFiles("src"), ...sourceFiles("workers")];

  test("every file of src/ and workers/ belongs to a declared layer", () => {
    const unplaced = files.filter((f) => placeOf(f) === null);
    expect(unplaced).toEqual([]);
  });

  test("no import goes up a layer or across to another module of the same layer", () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = placeOf(file);
      if (!from) continue;
      for (const { spec, target } of importsOf(file)) {
        if (target.startsWith("node_modules/")) continue; // a package's file (e.g. the embedded libduckdb)
        const to = placeOf(target);
        const fromName = `${LAYERS[from.layer]!.name}/${from.module}`;
        if (!to) {
          wrong.push(`${file} (${fromName}) imports ${spec}: ${target} is outside every layer`);
          continue;
        }
        const toName = `${LAYERS[to.layer]!.name}/${to.module}`;
        if (to.layer > from.layer) wrong.push(`${file} (${fromName}) imports ${spec}: ${toName} is a higher layer`);
        else if (to.layer === from.layer && to.module !== from.module) wrong.push(`${file} (${fromName}) imports ${spec}: ${toName} is a sibling module`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test("bench/ and test/ do not import each other; testkit/ imports neither", () => {
    const crossing: string[] = [];
    const pairs = [["bench", "test/"], ["test", "bench/"], ["testkit", "test/"], ["testkit", "bench/"]] as const;
    for (const [dir, other] of pairs) {
      for (const file of sourceFiles(dir)) {
        for (const { spec, target } of importsOf(file)) if (target.startsWith(other)) crossing.push(`${file} imports ${spec}`);
      }
    }
    expect(crossing).toEqual([]);
  });

  test("the checker sees imports of every form, and none in comments", () => {
    const src = [
      'import { a } from "./a";',
      'import type { B } from "../b";',
      'export { c } from "./c";',
      'import "./side-effect";',
      'const d = await import("./d");',
      '// import { x } from "./commented";',
      '/* import("./block") */',
      'const url = "http://example.com"; import { e } from "./e";',
    ].join("\n");
    const specs = [...withoutComments(src).matchAll(IMPORT)].map((m) => m[2]);
    expect(specs).toEqual(["./a", "../b", "./c", "./side-effect", "./d", "./e"]);
  });
});
