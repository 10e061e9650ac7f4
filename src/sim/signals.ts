/**
 * `levels.signals` snapshots (contracts §1.9) computed from the simulated day itself,
 * so every field is plausible *and* consistent with the tape and book the same run
 * publishes: spot is the last front-contract trade, bid/ask the latest front MBP-10 touch,
 * barrier depth is read off the latest book, tape volumes off a sliding 60 s trade
 * window, fuel off the option trades' dealer-gamma flow so far.
 *
 * The levels are the v1 set the core emits: PM_HIGH/PM_LOW (from 04:00 ET), OR_HIGH/OR_LOW
 * (from 09:30 ET) and SMA_200/SMA_400 of 2-minute closes (with a warm-up history), sorted
 * by ascending distance. Snapshots are taken every `intervalMs`; `ts` is the latest event
 * time floored to ms (so consecutive payloads can repeat a ts, as in the reference).
 */
import type { FuturesDay } from "./futures";
import type { OptionsDay } from "./options";
import type { PricePath } from "./path";
import { Rng } from "./rng";
import type { SessionClock } from "./session";
import { linkLevels, type LevelState } from "./signal-levels";
import { absorbUpTo, dayColumns, newTapeState, NS_PER_MS, type DayColumns, type TapeState } from "./signal-tape";
import { knownLevels, levelView, sharedContext } from "./signal-view";

export type SignalPayload = Record<string, unknown> & { ts: number };

export function generateSignals(
  seed: number | string,
  clock: SessionClock,
  path: PricePath,
  fut: FuturesDay,
  opt: OptionsDay,
  intervalMs: number,
): SignalPayload[] {
  const rng = Rng.stream(seed, String(clock.day), "signals");
  const out: SignalPayload[] = [];
  const startMs = clock.startMs;
  const cols = dayColumns(fut, opt, startMs);
  const tape = newTapeState(path, (clock.rthOpenMs - startMs) * NS_PER_MS, (clock.orEndMs - startMs) * NS_PER_MS);
  const levelStates = new Map<string, LevelState>();

  const endNs = (clock.closeMs - startMs) * NS_PER_MS;
  for (let tNs = intervalMs * NS_PER_MS; tNs <= endNs; tNs += intervalMs * NS_PER_MS) {
    absorbUpTo(tape, cols, tNs);
    const tsMs = Math.floor(startMs + (tape.lastEventNs >= 0 ? tape.lastEventNs : tNs) / NS_PER_MS);
    if (tape.spot === null) {
      out.push({ ts: tsMs, spy: { spot: null, bid: null, ask: null }, levels: [] });
      continue;
    }
    out.push(snapshot(tsMs, tape, cols, tape.spot, levelStates, rng));
    tape.filledByTick = new Map();
  }
  return out;
}

function snapshot(
  tsMs: number,
  tape: TapeState,
  cols: DayColumns,
  spot: number,
  levelStates: Map<string, LevelState>,
  rng: Rng,
): SignalPayload {
  const bid = tape.lastMbp >= 0 ? cols.bidPx[0]![tape.lastMbp]! : null;
  const ask = tape.lastMbp >= 0 ? cols.askPx[0]![tape.lastMbp]! : null;
  const levels = knownLevels(tape);
  const ctx = sharedContext(tape, cols, spot);
  const objs = levels.map(([id, price]) => levelView(id, price, tape, cols, ctx, levelStates, rng));
  linkLevels(objs);
  objs.sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : 1));
  return { ts: tsMs, spy: { spot, bid, ask }, levels: objs };
}
