/**
 * The simulated trading day's clock and activity profile:
 * events run from 04:00 ET (thin pre-market) to 16:00 ET, RTH 09:30–16:00 ET is busy with a
 * U-shaped intraday volume curve. All times are New York wall time converted with the
 * tz database (src/core/time/eastern.ts), so 2026-03-06 (EST, RTH opens 14:30 UTC) and 2026-03-09 (EDT,
 * 13:30 UTC) both open at 09:30 local.
 *
 * The day is discretised into fixed steps of STEP_MS; the price path has one value per
 * step and every event draws its count per step (a piecewise-constant Poisson intensity).
 */
import { etToUtcMs } from "../core/time/eastern";

export const STEP_MS = 250;
export const STEPS_PER_SEC = 1000 / STEP_MS;
export const STEP_NS = STEP_MS * 1_000_000;
export const SESSION_START_ET = { h: 4, m: 0 };
export const RTH_OPEN_ET = { h: 9, m: 30 };
export const OR_END_ET = { h: 9, m: 45 };
export const RTH_CLOSE_ET = { h: 16, m: 0 };

export interface SessionClock {
  readonly day: number;
  /** Epoch ms of 04:00 ET. */
  readonly startMs: number;
  /** Epoch ms of 09:30 / 09:45 / 16:00 ET. */
  readonly rthOpenMs: number;
  readonly orEndMs: number;
  readonly closeMs: number;
  /** Number of STEP_MS steps from 04:00 to 16:00 ET. */
  readonly nSteps: number;
  readonly rthOpenStep: number;
  readonly orEndStep: number;
  /** Per-step multiplier of the RTH-average trade intensity (U-shape, mean 1 over RTH). */
  readonly activity: Float32Array;
}

/** Unnormalised U-shape over RTH, x ∈ [0, 1]: heavy open, quiet lunch, busy close. */
function uShape(x: number): number {
  return 0.55 + 2.4 * Math.exp(-x / 0.05) + 1.5 * Math.exp(-(1 - x) / 0.07) + 0.15 * Math.exp(-((x - 0.77) ** 2) / 0.002);
}

/** Pre-market intensity relative to the RTH mean: thin, with a bump at the 08:30 ET data releases. */
export const PREMARKET_LEVEL = 0.1;

export function sessionClock(day: number): SessionClock {
  const startMs = etToUtcMs(day, SESSION_START_ET.h, SESSION_START_ET.m);
  const rthOpenMs = etToUtcMs(day, RTH_OPEN_ET.h, RTH_OPEN_ET.m);
  const orEndMs = etToUtcMs(day, OR_END_ET.h, OR_END_ET.m);
  const closeMs = etToUtcMs(day, RTH_CLOSE_ET.h, RTH_CLOSE_ET.m);
  const nSteps = (closeMs - startMs) / STEP_MS;
  const rthOpenStep = (rthOpenMs - startMs) / STEP_MS;
  const orEndStep = (orEndMs - startMs) / STEP_MS;
  const activity = new Float32Array(nSteps);
  const rthSteps = nSteps - rthOpenStep;
  let sum = 0;
  for (let i = rthOpenStep; i < nSteps; i++) {
    const v = uShape((i - rthOpenStep) / rthSteps);
    activity[i] = v;
    sum += v;
  }
  const norm = rthSteps / sum;
  for (let i = rthOpenStep; i < nSteps; i++) activity[i]! *= norm;
  const dataStep = (etToUtcMs(day, 8, 30) - startMs) / STEP_MS;
  for (let i = 0; i < rthOpenStep; i++) {
    // thin early, waking up into the open; a burst for the 08:30 releases
    const ramp = 1 + 2 * (i / rthOpenStep) ** 3;
    const burst = i >= dataStep && i < dataStep + 5 * 60 * 4 ? 3 * Math.exp(-(i - dataStep) / 600) : 0;
    activity[i] = PREMARKET_LEVEL * (ramp + burst);
  }
  return { day, startMs, rthOpenMs, orEndMs, closeMs, nSteps, rthOpenStep, orEndStep, activity };
}
