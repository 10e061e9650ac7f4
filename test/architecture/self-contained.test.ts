/**
 * A clone anywhere runs its tests and benches with nothing beside it: no code, test, bench,
 * script or doc reaches for a directory outside the checkout (a sibling `shared/`, a path of
 * one particular machine, an environment variable pointing elsewhere), and no relative path
 * literal climbs above the repository root.
 */
import { describe, expect, test } from "bun:test";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const SCANNED_DIRS = ["src", "test", "testkit", "bench", "scripts", "workers", "docs"];
const SCANNED_FILES = ["README.md", "package.json", "build.ts", "bunfig.toml", "tsconfig.json"];
const TEXT = /\.(ts|js|mjs|json|md|sh|toml|ya?ml)$/;
/** Vendored data is a record of how it was produced; it is read, never followed. */
const DATA_DIR = join("test", "fixtures");

function* walk(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else yield p;
  }
}

function sourceFiles(): string[] {
  const files = SCANNED_FILES.map((f) => join(ROOT, f));
  for (const d of SCANNED_DIRS) for (const f of walk(join(ROOT, d))) if (TEXT.test(f)) files.push(f);
  return files.filter((f) => !relative(ROOT, f).startsWith(DATA_DIR + sep) || f.endsWith(".md"));
}

const rel = (f: string) => relative(ROOT, f);

/** Text that points outside the checkout; built so this file does not match itself. */
const OUTSIDE = [
  { what: "the shared specs or fixtures", re: new RegExp(["shared/", "(spec|fixtures)\\b"].join("")) },
  { what: "an override pointing at files outside the repo", re: new RegExp(["LAKE_", "SHARED_DIR"].join("")) },
  { what: "an absolute path of a particular machine", re: new RegExp(["(^|[\\s\"'`(=:])/(work", "|home|Users|root|mnt)/"].join("")) },
];

const SIBLING_SHARED = new RegExp(["((?:\\.\\./)+", "shared)\\b"].join(""), "g");
const inside = (p: string) => p === ROOT || p.startsWith(ROOT + sep);

describe("the checkout is self-contained", () => {
  const files = sourceFiles();

  test("the scan covers the code, the tests, the benches and the docs", () => {
    for (const d of ["src", "test", "bench", "docs"]) expect(files.some((f) => rel(f).startsWith(d + sep))).toBe(true);
    expect(files.length).toBeGreaterThan(100);
  });

  test("no file names a directory outside the checkout", () => {
    const hits: string[] = [];
    for (const f of files) {
      readFileSync(f, "utf8").split("\n").forEach((line, i) => {
        for (const o of OUTSIDE) if (o.re.test(line)) hits.push(`${rel(f)}:${i + 1}: ${o.what}: ${line.trim()}`);
        // a `../shared` that stays inside the checkout is fine
        for (const m of line.matchAll(SIBLING_SHARED)) {
          if (!inside(resolve(dirname(f), m[1]!))) hits.push(`${rel(f)}:${i + 1}: a shared/ directory beside the checkout: ${line.trim()}`);
        }
      });
    }
    expect(hits).toEqual([]);
  });

  test("no relative path in a test or bench climbs above the repository root", () => {
    const literal = /["'`](\.\.?\/[^"'`$\n]*)["'`]/g;
    const hits: string[] = [];
    for (const f of files.filter((f) => /^(test|testkit|bench|src|workers)\//.test(rel(f)) && f.endsWith(".ts"))) {
      readFileSync(f, "utf8").split("\n").forEach((line, i) => {
        for (const m of line.matchAll(literal)) {
          const target = resolve(dirname(f), m[1]!);
          if (!inside(target)) hits.push(`${rel(f)}:${i + 1}: ${m[1]}`);
        }
      });
    }
    expect(hits).toEqual([]);
  });

  test("no symbolic link in the tree leads outside it", () => {
    const hits: string[] = [];
    for (const d of SCANNED_DIRS) {
      for (const f of walk(join(ROOT, d))) {
        if (!lstatSync(f).isSymbolicLink()) continue;
        const target = resolve(dirname(f), readlinkSync(f));
        if (!inside(target)) hits.push(`${rel(f)} -> ${target}`);
      }
    }
    expect(hits).toEqual([]);
  });

  test("the golden-day fixture is in the repository", () => {
    const day = join(ROOT, "test/fixtures/es-day-a");
    expect(lstatSync(join(day, "expected/silver_features.parquet")).size).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(day, "expected/summary.json"), "utf8")).rows).toBe(107);
    expect([...walk(join(day, "bronze"))].filter((f) => f.endsWith(".parquet")).length).toBe(76);
  });
});
