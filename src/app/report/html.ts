/**
 * One self-contained HTML page per day: inline SVG only, no script, no external resource —
 * a Content-Security-Policy of `default-src 'none'` proves it (the browser refuses anything
 * that would reach the network). Opens from the file system.
 */
import type { BronzeDayStats } from "../../read/bronze-stats";
import type { Bar, Categories, DayReport, Histogram } from "./day-data";

const OUTCOME_COLOURS: Record<string, string> = { BREAK: "#d62728", BOUNCE: "#2ca02c", CHOP: "#7f7f7f", UNKNOWN: "#9467bd" };
const LEVEL_COLOURS = ["#1f77b4", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];

export const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "-");
const hhmm = (t: number) => new Date(t * 1000).toISOString().slice(11, 16);

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:3px 6px;text-align:right}th{background:#f4f4f4}
td.l,th.l{text-align:left}.pass{color:#2ca02c}.fail{color:#d62728;font-weight:bold}
.grid{display:flex;flex-wrap:wrap;gap:10px}.hist{border:1px solid #eee;padding:4px}.hist div{font-size:11px}
.legend span{margin-right:14px}.note{color:#a60}
</style></head><body>
${body}
</body></html>
`;
}

export function dayHtml(r: DayReport): string {
  const outcomes = [...new Set(r.events.map((e) => e.outcome))].sort();
  const parts = [
    `<h1>lake report — ${esc(r.date)}${r.version ? ` · Silver ${esc(r.version)}` : ""}</h1>`,
    ...r.notes.map((n) => `<p class="note">${esc(n)}</p>`),
    `<h2>${esc(r.frontMonth ?? "front month")} · 1-minute bars, levels and ${r.events.length} Silver events</h2>`,
    `<p class="legend">${outcomes.map((o) => `<span><svg width="10" height="10"><circle cx="5" cy="5" r="5" fill="${colour(o)}"/></svg> ${esc(o)} (${r.events.filter((e) => e.outcome === o).length})</span>`).join("")}</p>`,
    priceChart(r),
    `<h2>Label mix per horizon</h2>`,
    categoryTables(r.labelMix),
    `<h2>Data quality (Bronze)</h2>`,
    qualityTable(r.quality),
    `<h2>Gold validation</h2>`,
    r.gold.length
      ? r.gold.map((g) => `<h3>${esc(g.dataset)}: ${g.ok ? '<span class="pass">all checks pass</span>' : '<span class="fail">checks failed</span>'}</h3><table><tr><th class="l">check</th><th class="l">result</th><th class="l">detail</th></tr>${g.checks.map((c) => `<tr><td class="l">${esc(c.name)}</td><td class="l ${c.pass ? "pass" : "fail"}">${c.pass ? "PASS" : "FAIL"}</td><td class="l">${esc(c.detail)}</td></tr>`).join("")}</table>`).join("")
      : "<p>no Gold training dataset holds this date</p>",
    `<h2>Feature distributions (${r.histograms.length} numeric, ${r.categories.length} categorical)</h2>`,
    `<div class="grid">${r.histograms.map(histogram).join("")}</div>`,
    categoryTables(r.categories),
  ];
  return page(`lake report ${r.date}`, parts.join("\n"));
}

function colour(outcome: string): string {
  return OUTCOME_COLOURS[outcome] ?? "#9467bd";
}

function priceChart(r: DayReport): string {
  const W = 1300, H = 420, VH = 90, L = 60, R = 110, T = 10;
  const bars = r.bars;
  if (!bars.length) return "<p>no front-month trades for this date</p>";
  const t0 = bars[0]!.t, t1 = bars[bars.length - 1]!.t + 60;
  const prices = [...bars.flatMap((b) => [b.h, b.l]), ...r.events.map((e) => e.price).filter(Number.isFinite)];
  const lo = Math.min(...prices), hi = Math.max(...prices);
  const pad = (hi - lo) * 0.03 || 1;
  const x = (t: number) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
  const y = (p: number) => T + (1 - (p - (lo - pad)) / (hi - lo + 2 * pad)) * (H - T - 20);
  const vmax = Math.max(...bars.map((b) => b.v), 1);
  const bw = Math.max(1, ((W - L - R) / ((t1 - t0) / 60)) * 0.7);
  const candles = bars.map((b: Bar) => {
    const cx = x(b.t + 30);
    const up = b.c >= b.o;
    return `<line x1="${cx}" x2="${cx}" y1="${y(b.h)}" y2="${y(b.l)}" stroke="#555"/><rect x="${cx - bw / 2}" width="${bw}" y="${y(Math.max(b.o, b.c))}" height="${Math.max(0.5, Math.abs(y(b.o) - y(b.c)))}" fill="${up ? "#fff" : "#555"}" stroke="#555" stroke-width="0.5"/>`;
  });
  const volume = bars.map((b) => `<rect x="${x(b.t + 30) - bw / 2}" width="${bw}" y="${H + VH - (b.v / vmax) * (VH - 10)}" height="${(b.v / vmax) * (VH - 10)}" fill="#9ecae1"/>`);
  const kinds = [...new Set(r.levels.map((l) => l.kind))];
  const levels = r.levels.filter((l) => l.price >= lo - pad && l.price <= hi + pad).map((l) => {
    const c = LEVEL_COLOURS[kinds.indexOf(l.kind) % LEVEL_COLOURS.length];
    return `<g class="level"><line x1="${L}" x2="${W - R}" y1="${y(l.price)}" y2="${y(l.price)}" stroke="${c}" stroke-dasharray="4 3" stroke-width="0.8"/><text x="${W - R + 4}" y="${y(l.price) + 4}" font-size="10" fill="${c}">${esc(l.kind)} ${fmt(l.price)}</text></g>`;
  });
  const markers = r.events.map((e) => `<circle class="event" data-event-id="${esc(e.id)}" data-outcome="${esc(e.outcome)}" cx="${x(e.t)}" cy="${y(e.price)}" r="4" fill="${colour(e.outcome)}" fill-opacity="0.8" stroke="#000" stroke-width="0.5"><title>${esc(`${hhmm(e.t)} UTC ${e.kind} ${e.direction} @ ${fmt(e.price)} → ${e.outcome}`)}</title></circle>`);
  const ticks: string[] = [];
  for (let t = Math.ceil(t0 / 3600) * 3600; t < t1; t += 3600) ticks.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${T}" y2="${H + VH}" stroke="#eee"/><text x="${x(t)}" y="${H + VH + 14}" font-size="10" text-anchor="middle">${hhmm(t)}</text>`);
  const py: string[] = [];
  for (let i = 0; i <= 6; i++) {
    const p = lo - pad + ((hi - lo + 2 * pad) * i) / 6;
    py.push(`<text x="${L - 4}" y="${y(p) + 3}" font-size="10" text-anchor="end">${fmt(p)}</text>`);
  }
  return `<svg id="price-chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + VH + 20}" viewBox="0 0 ${W} ${H + VH + 20}">
${ticks.join("")}${py.join("")}<g class="volume">${volume.join("")}</g><g class="candles">${candles.join("")}</g><g class="levels">${levels.join("")}</g><g class="events">${markers.join("")}</g>
<text x="${W - R + 4}" y="${H + VH + 14}" font-size="10">UTC</text></svg>`;
}

function histogram(h: Histogram): string {
  const W = 160, H = 60;
  const m = Math.max(...h.counts, 1);
  const bw = W / h.counts.length;
  const rects = h.counts.map((c, i) => `<rect x="${i * bw}" y="${H - (c / m) * H}" width="${bw - 1}" height="${(c / m) * H}" fill="#6baed6"/>`).join("");
  return `<div class="hist"><div>${esc(h.column)}</div><svg width="${W}" height="${H}">${rects}</svg><div>${fmt(h.min, 3)} … ${fmt(h.max, 3)}${h.nulls ? ` · ${h.nulls} null` : ""}</div></div>`;
}

function categoryTables(cats: Categories[]): string {
  if (!cats.length) return "<p>none</p>";
  return `<div class="grid">${cats
    .map((c) => {
      const total = c.counts.reduce((s, [, n]) => s + n, 0);
      return `<table><tr><th class="l" colspan="3">${esc(c.column)}</th></tr>${c.counts.map(([k, n]) => `<tr><td class="l">${esc(k)}</td><td>${n}</td><td>${fmt((100 * n) / Math.max(1, total), 1)}%</td></tr>`).join("")}</table>`;
    })
    .join("")}</div>`;
}

function qualityTable(rows: BronzeDayStats[]): string {
  const iso = (n: bigint | null) => (n === null ? "-" : new Date(Number(n / 1_000_000n)).toISOString().slice(11, 23));
  return `<table><tr><th class="l">table</th><th>files</th><th>rows</th><th>first (UTC)</th><th>last (UTC)</th><th class="l">contracts</th><th>largest RTH gap</th><th>exact duplicates</th><th>quarantined</th></tr>${rows
    .map((r) => `<tr><td class="l">${esc(r.table)}</td><td>${r.files}</td><td>${r.rows}</td><td>${iso(r.first_ts_ns)}</td><td>${iso(r.last_ts_ns)}</td><td class="l">${esc(r.contracts.join(" "))}</td><td>${r.largest_rth_gap_ns === null ? "-" : `${fmt(Number(r.largest_rth_gap_ns) / 1e9, 1)} s`}</td><td class="${r.exact_duplicates ? "fail" : ""}">${r.exact_duplicates}</td><td>${r.quarantined}</td></tr>`)
    .join("")}</table>`;
}

/** The overview of a date range: one row per day, linking its page. */
export function overviewHtml(days: { date: string; file: string; events: number; rows: number; duplicates: number; outcomes: Record<string, number> }[]): string {
  const body = `<h1>lake report — ${esc(days[0]?.date ?? "")} … ${esc(days[days.length - 1]?.date ?? "")}</h1>
<table><tr><th class="l">date</th><th>Bronze trades</th><th>Silver events</th><th class="l">outcomes</th><th>exact duplicates</th></tr>
${days.map((d) => `<tr><td class="l"><a href="${esc(d.file)}">${esc(d.date)}</a></td><td>${d.rows}</td><td>${d.events}</td><td class="l">${esc(Object.entries(d.outcomes).map(([k, n]) => `${k} ${n}`).join(", "))}</td><td>${d.duplicates}</td></tr>`).join("\n")}
</table>`;
  return page("lake report overview", body);
}
