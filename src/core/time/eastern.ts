/**
 * New York (market) wall time ↔ UTC — the one implementation every module uses
 * (contracts §6.3 "RTH window, DST-correct"; es-pipeline §0 `ET(D, hh:mm)`).
 *
 * Zone offsets come from Intl (the tz database), so daylight saving is right on every date,
 * including years before the 2007 US rule change. Days are epoch days (calendar.ts).
 */
import { UsageError } from "../../errors";
import { MS_PER_DAY } from "./calendar";

export const NEW_YORK = "America/New_York";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      });
    } catch {
      throw new UsageError(`unknown time zone ${JSON.stringify(timeZone)}`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset (local − UTC) in ms of `timeZone` at instant `ms` (whole seconds). */
export function tzOffsetMs(ms: number, timeZone: string = NEW_YORK): number {
  const p: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) if (part.type !== "literal") p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** UTC offset of New York at an instant, in minutes (EST −300, EDT −240). */
export function nyOffsetMinutes(epochMs: number): number {
  return Math.round(tzOffsetMs(epochMs, NEW_YORK) / 60_000);
}

/**
 * Epoch ms of wall-clock `minutesOfDay` on the calendar day starting at `dayStartMs`
 * (00:00 UTC of that date) in `timeZone`.
 *
 * wall − offset(instant) = instant; the offset is first taken at the wall time read as UTC,
 * then once more at the resulting instant, which settles it on both sides of a DST switch
 * (a wall time skipped by the spring-forward switch is read with the daylight offset).
 */
export function wallClockToUtcMs(dayStartMs: number, minutesOfDay: number, timeZone: string = NEW_YORK): number {
  const wall = dayStartMs + minutesOfDay * 60_000;
  const instant = wall - tzOffsetMs(wall, timeZone);
  return wall - tzOffsetMs(instant, timeZone);
}

/** Epoch ms of New York wall time `hh:mm` on epoch day `day`. */
export function etToUtcMs(day: number, hh: number, mm = 0): number {
  return wallClockToUtcMs(day * MS_PER_DAY, hh * 60 + mm, NEW_YORK);
}
