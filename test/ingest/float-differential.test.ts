/**
 * Float fields decode exactly like JSON.parse: a seeded differential comparison over more
 * than a million generated number tokens — integers of every length (1–25 digits, where
 * hi·1e9 + lo would round twice past 18), decimals of 1–20 significant digits, exponents
 * across the whole double range (subnormals, overflow to Infinity, underflow to 0),
 * negative zero, 17-significant-digit round-trip forms and the shortest form of random
 * bit patterns. Compared with Object.is, so -0 and NaN count.
 */
import { expect, test } from "bun:test";
import { JsonCursor } from "../../src/ingest/worker/decode/cursor";
import { readFloat } from "../../src/ingest/worker/decode/values";
import { mulberry32 } from "../../src/core/mulberry32";

/** Seeded, so a failure reproduces. */
const rng = mulberry32;

function generate(n: number, seed: number): string[] {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const digits = (len: number, leadNonZero: boolean) => {
    let s = leadNonZero ? String(int(1, 9)) : String(int(0, 9));
    while (s.length < len) s += String(Math.floor(r() * 1e9)).padStart(9, "0");
    return s.slice(0, len);
  };
  const sign = () => (r() < 0.3 ? "-" : "");
  const f64 = new Float64Array(1);
  const u32 = new Uint32Array(f64.buffer);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 8;
    let t: string;
    if (kind === 0) {
      const len = int(1, 25);
      t = sign() + (len === 1 ? String(int(0, 9)) : digits(len, true));
    } else if (kind === 1) {
      const sig = int(1, 20);
      const ip = int(0, sig - 1);
      t = sign() + (ip === 0 ? "0" : digits(ip, true)) + "." + digits(sig - ip, false);
    } else if (kind === 2) {
      t = sign() + digits(int(1, 20), true) + (r() < 0.5 ? "." + digits(int(1, 6), false) : "") + (r() < 0.5 ? "e" : "E") + (r() < 0.5 ? "-" : r() < 0.5 ? "+" : "") + String(int(0, 330));
    } else if (kind === 3) {
      // Subnormals and the underflow edge.
      t = sign() + String(int(1, 9)) + "." + digits(int(1, 17), false) + "e-" + String(int(300, 330));
    } else if (kind === 4) {
      // 17 significant digits: the round-trip form of a random double.
      const v = (r() - 0.5) * 10 ** int(-30, 30);
      t = v.toPrecision(17).replace("e+", r() < 0.5 ? "e+" : "e");
    } else if (kind === 5) {
      u32[0] = Math.floor(r() * 4294967296);
      u32[1] = Math.floor(r() * 4294967296);
      const v = f64[0]!;
      t = Number.isFinite(v) ? String(v) : "0";
    } else if (kind === 6) {
      // Around 2^53 and the int64 range (the values hi·1e9 + lo rounds wrong).
      const base = [9007199254740992, 5923494209734022000, 9223372036854775807, 18446744073709551615, 1e21, 1e22][int(0, 5)]!;
      t = sign() + BigInt(Math.floor(base)).toString().slice(0, int(16, 22)) + digits(int(0, 3), false);
      if (t.replace("-", "").startsWith("0")) t = "1" + t.replace("-", "");
    } else {
      const zeros = ["0", "-0", "0.0", "-0.0", "0e0", "-0e-5", "-0E+3", "0.000", "-0.0e0"];
      t = r() < 0.5 ? zeros[int(0, zeros.length - 1)]! : sign() + digits(int(15, 17), true) + "." + digits(int(1, 3), false);
    }
    out.push(t);
  }
  return out;
}

test("float fields decode every generated number exactly like JSON.parse (1M seeded inputs)", () => {
  const N = 1_000_000;
  const tokens = generate(N, 0x5eed1e55);
  const bytes = new TextEncoder().encode(tokens.join(" "));
  const cur = new JsonCursor();
  cur.reset(bytes);
  const mismatches: string[] = [];
  for (let i = 0; i < N; i++) {
    const got = readFloat(cur, "value");
    const want = JSON.parse(tokens[i]!) as number;
    if (!Object.is(got, want) && mismatches.length < 20) mismatches.push(`${tokens[i]}: got ${got}, JSON.parse ${want}`);
  }
  expect(mismatches).toEqual([]);
  expect(cur.pos).toBe(bytes.length);
}, 120_000); // ~2 s on an idle machine; generous for a contended one

test("integers of 19–22 digits in float fields round once (the double-rounding cases)", () => {
  const cur = new JsonCursor();
  for (const t of ["5923494209734022000", "-5923494209734022000", "9007199254740993123", "1234567890123456789012", "18446744073709551615"]) {
    cur.reset(new TextEncoder().encode(t));
    expect(Object.is(readFloat(cur, "x"), JSON.parse(t))).toBe(true);
  }
});
