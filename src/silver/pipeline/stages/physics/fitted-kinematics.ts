/**
 * [FIX] D-1: real multi-window kinematics. Over the bars whose start lies in (ts − w, ts]
 * (the window ends with the entry bar, complete at the decision time), the level-frame
 * position p = s·(close − L) is fitted by least squares against the bar-end time τ (minutes,
 * τ = 0 at the end of the entry bar): velocity, acceleration and jerk are the fitted
 * polynomial's derivatives at τ = 0, per second (as the reference's finite differences).
 * Degree = min(3, bars − 1); one bar gives velocity (close − open)/60 s. momentum_trend =
 * slope of the window's second half − slope of its first half (each a linear fit, per second).
 */

export interface Kinematics {
  velocity: number;
  acceleration: number;
  jerk: number;
  trend: number;
}

/** Least-squares polynomial coefficients c0..c_deg of y over x (normal equations, partial pivoting). */
export function polyFit(x: ArrayLike<number>, y: ArrayLike<number>, deg: number): number[] {
  const k = deg + 1;
  const a = Array.from({ length: k }, () => new Float64Array(k + 1));
  for (let i = 0; i < x.length; i++) {
    const pw = new Float64Array(2 * k);
    pw[0] = 1;
    for (let j = 1; j < 2 * k; j++) pw[j] = pw[j - 1]! * x[i]!;
    for (let r = 0; r < k; r++) {
      for (let c = 0; c < k; c++) a[r]![c] = a[r]![c]! + pw[r + c]!;
      a[r]![k] = a[r]![k]! + pw[r]! * y[i]!;
    }
  }
  for (let col = 0; col < k; col++) {
    let piv = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[piv]![col]!)) piv = r;
    [a[col], a[piv]] = [a[piv]!, a[col]!];
    const d = a[col]![col]!;
    if (Math.abs(d) < 1e-12) return new Array(k).fill(0);
    for (let r = 0; r < k; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / d;
      for (let c = col; c <= k; c++) a[r]![c] = a[r]![c]! - f * a[col]![c]!;
    }
  }
  return a.map((row, r) => row[k]! / row[r]!);
}

const slope = (x: number[], y: number[]) => (x.length >= 2 ? polyFit(x, y, 1)[1]! : 0);

/** Kinematics of positions `pos` at bar-end times `tauMin` (minutes, ascending, last = 0); `firstOpen` = open of a lone bar. */
export function fittedKinematics(tauMin: number[], pos: number[], firstOpenPos: number): Kinematics {
  const m = pos.length;
  if (m === 0) return { velocity: 0, acceleration: 0, jerk: 0, trend: 0 };
  if (m === 1) return { velocity: (pos[0]! - firstOpenPos) / 60, acceleration: 0, jerk: 0, trend: 0 };
  const deg = Math.min(3, m - 1);
  const c = polyFit(tauMin, pos, deg);
  const half = Math.floor(m / 2);
  const trend = m >= 4 ? (slope(tauMin.slice(half), pos.slice(half)) - slope(tauMin.slice(0, half), pos.slice(0, half))) / 60 : 0;
  return {
    velocity: (c[1] ?? 0) / 60,
    acceleration: (2 * (c[2] ?? 0)) / 3600,
    jerk: (6 * (c[3] ?? 0)) / 216_000,
    trend,
  };
}
