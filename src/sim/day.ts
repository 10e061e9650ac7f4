/**
 * The simulator's library entry points: a whole ES trading day as
 * columnar Bronze frames plus `levels.signals` payloads, deterministic in (seed, date, scale).
 *
 *   const day = generateDay({ date: "2026-03-02", seed: 7, scale: "light" });
 *   day.trades / day.mbp10 / day.options  // Frames in FUTURES_TRADES / FUTURES_MBP10 / OPTION_TRADES
 *   day.signals                           // §1.9 payload objects, ascending ts
 *
 * A day depends only on (seed, date, scale, options) — never on which other days are
 * generated with it — so `generateDays` is the same as generating each date alone.
 */
import type { Frame } from "../frame";
import { isWeekdayDay } from "../core/time/calendar";
import { formatDate, parseDate, weekdaysFrom } from "../core/time/dates";
import { dayContracts, type ContractPlanOptions, type DayContract } from "./futures-contracts";
import { futuresByHour, generateFutures, type FuturesDay } from "./futures";
import type { HourBuffers } from "./mbp-buffer";
import { generateOptions } from "./options";
import { generatePath, macroLevel, type RegimeSegment } from "./path";
import { resolveScale, type ScaleSpec, type SimRates } from "./scale";
import { sessionClock, type SessionClock } from "./session";
import { generateSignals, type SignalPayload } from "./signals";

export interface GenerateDayOptions {
  /** Trading date YYYY-MM-DD (a weekday). */
  date: string;
  seed: number | string;
  /** light | normal | heavy, or explicit rates (missing ones from normal). Default normal. */
  scale?: ScaleSpec;
  /** Override individual rates on top of `scale`. */
  rates?: Partial<SimRates>;
  /** Contract plan overrides: explicit symbols, or a roll date inside a multi-day run. */
  contracts?: ContractPlanOptions | readonly string[];
  /** Generate `levels.signals` payloads (default true when the signal interval > 0). */
  signals?: boolean;
  /** `generateDayByHour`: the hour buffer to reuse, for a run of days (one per run, not shared by two). */
  hourBuffers?: HourBuffers;
}

export interface SimDay {
  readonly date: string;
  readonly seed: number | string;
  readonly rates: SimRates;
  readonly contracts: readonly DayContract[];
  readonly trades: Frame;
  readonly mbp10: Frame;
  readonly options: Frame;
  readonly signals: SignalPayload[];
  /** Session clock (04:00 / 09:30 / 16:00 ET in epoch ms) and the regime script, for tests and docs. */
  readonly clock: SessionClock;
  readonly script: readonly RegimeSegment[];
}

export function generateDay(opts: GenerateDayOptions): SimDay {
  const setup = daySetup(opts);
  const fut = generateFutures(opts.seed, setup.clock, setup.path, setup.contracts, setup.rates);
  return finishDay(opts, setup, fut);
}

/**
 * The same day with its MBP-10 rows yielded one UTC hour at a time (each Frame valid until
 * the next step of the generator) and the rest returned at the end with an empty `mbp10` —
 * for writing heavy days to Bronze in the memory of one hour. No `levels.signals` (they need
 * the whole book).
 */
export function* generateDayByHour(opts: GenerateDayOptions): Generator<Frame, SimDay> {
  const setup = daySetup(opts);
  const fut = yield* futuresByHour(opts.seed, setup.clock, setup.path, setup.contracts, setup.rates, opts.hourBuffers);
  return finishDay({ ...opts, signals: false }, setup, fut);
}

interface DaySetup {
  rates: SimRates;
  clock: SessionClock;
  path: ReturnType<typeof generatePath>;
  contracts: DayContract[];
}

function daySetup(opts: GenerateDayOptions): DaySetup {
  const day = parseDate(opts.date);
  if (!isWeekdayDay(day)) throw new Error(`${opts.date} is a weekend day: the simulator models weekday sessions only`);
  const rates = resolveScale(opts.scale, opts.rates);
  const clock = sessionClock(day);
  const path = generatePath(opts.seed, clock);
  const plan: ContractPlanOptions = Array.isArray(opts.contracts) ? { symbols: opts.contracts as readonly string[] } : ((opts.contracts ?? {}) as ContractPlanOptions);
  const spreadPts = macroLevel(opts.seed, day) * 0.0086;
  const contracts = dayContracts(day, spreadPts, plan);
  return { rates, clock, path, contracts };
}

function finishDay(opts: GenerateDayOptions, { rates, clock, path, contracts }: DaySetup, fut: FuturesDay): SimDay {
  const opt = generateOptions(opts.seed, clock, path, rates);
  const wantSignals = (opts.signals ?? true) && rates.signalIntervalMs > 0;
  const signals = wantSignals ? generateSignals(opts.seed, clock, path, fut, opt, rates.signalIntervalMs) : [];
  return {
    date: opts.date,
    seed: opts.seed,
    rates,
    contracts,
    trades: fut.trades,
    mbp10: fut.mbp10,
    options: opt.options,
    signals,
    clock,
    script: path.script,
  };
}

export interface GenerateDaysOptions extends Omit<GenerateDayOptions, "date"> {
  /** First date (weekends are skipped). */
  from: string;
  /** Number of weekday sessions. */
  days: number;
}

/** Consecutive weekday sessions, lazily (a heavy day is large; callers write each and drop it). */
export function* generateDays(opts: GenerateDaysOptions): Generator<SimDay> {
  for (const d of tradingDates(opts.from, opts.days)) yield generateDay({ ...opts, date: d });
}

export function tradingDates(from: string, count: number): string[] {
  return weekdaysFrom(parseDate(from), count).map(formatDate);
}
