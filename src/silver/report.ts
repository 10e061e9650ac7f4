/**
 * Human output for the silver/gold/demo commands: number formats and the build progress
 * line (rewritten in place on a TTY, one plain line per date otherwise — logs and CI stay
 * readable). stdout carries results; progress goes to stderr.
 */
import type { BuildProgress } from "./builder";
import { progress } from "../log";

export function fmtSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, "0")}s`;
}

export function fmtInt(n: number): string {
  return n.toLocaleString("en-US");
}

export function progressPrinter(label: string, stream: NodeJS.WriteStream = process.stderr): { update(p: BuildProgress): void; end(): void } {
  const tty = Boolean(stream.isTTY);
  const t0 = performance.now();
  let last: BuildProgress | null = null;
  const line = (p: BuildProgress | null) => {
    const elapsed = (performance.now() - t0) / 1000;
    if (!p) return `${label}: starting · ${fmtSeconds(elapsed)} elapsed`;
    const eta = p.done === p.total ? "0s" : fmtSeconds(p.etaS === null ? null : Math.max(0, p.etaS - (elapsed - p.elapsedS)));
    return `${label}: ${p.done}/${p.total} dates · ${fmtInt(p.rowsTotal)} rows · ${fmtSeconds(elapsed)} elapsed · ETA ${eta}`;
  };
  // on a terminal the line keeps ticking while a long date runs
  const timer = tty ? setInterval(() => stream.write(`\r\x1b[2K${line(last)}`), 1000) : null;
  timer?.unref?.();
  return {
    update(p) {
      last = p;
      if (tty) {
        stream.write(`\r\x1b[2K${line(p)}`);
        if (!p.ok) stream.write(`\n  ${p.date}: ${p.error}\n`);
      } else {
        const text = `${line(p)} · ${p.date} ${p.ok ? `${fmtInt(p.rows)} rows` : `FAILED: ${p.error}`}`;
        // on stderr it is the lake's progress channel (--log-format json shapes it)
        if (stream === process.stderr) progress(text);
        else stream.write(text + "\n");
      }
    },
    end() {
      if (timer) clearInterval(timer);
      if (tty) stream.write(`\r\x1b[2K${line(last)}\n`);
    },
  };
}
