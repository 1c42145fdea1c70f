/**
 * Line charts as inline SVG text for the compare report: one chart, every run
 * overlaid in its colour on shared step and value axes. Plain strings, no
 * scripts or fonts from anywhere, so the report opens offline.
 */

/** Text for HTML or SVG, safe in element content and in quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface Series {
  name: string;
  colour: string;
  points: { step: number; value: number }[];
}

const WIDTH = 640;
const HEIGHT = 280;
const MARGIN = { left: 72, right: 16, top: 16, bottom: 44 };
/** More points than pixels across only makes the file larger. */
const MAX_POINTS = 1200;

/** A readable value: four significant digits, no exponent for everyday sizes. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e6 || abs < 1e-4) return v.toExponential(2);
  if (abs >= 1000) return v.toFixed(0);
  return String(Number(v.toPrecision(4)));
}

/** Evenly spaced round values (1, 2 or 5 × 10^k apart) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

function thin<T>(points: T[]): T[] {
  if (points.length <= MAX_POINTS) return points;
  const stride = Math.ceil(points.length / MAX_POINTS);
  const kept = points.filter((_, i) => i % stride === 0);
  if (kept[kept.length - 1] !== points[points.length - 1]) kept.push(points[points.length - 1]!);
  return kept;
}

/** One chart of `title` with a polyline per series that has finite points. */
export function lineChartSvg(title: string, series: Series[]): string {
  const finite = series.map((s) => ({ ...s, points: thin(s.points.filter((p) => Number.isFinite(p.value))) }));
  const all = finite.flatMap((s) => s.points);
  if (all.length === 0) return '';
  let yLo = Math.min(...all.map((p) => p.value));
  let yHi = Math.max(...all.map((p) => p.value));
  if (yLo === yHi) {
    const pad = Math.abs(yLo) * 0.1 || 1;
    yLo -= pad;
    yHi += pad;
  }
  const xLo = Math.min(...all.map((p) => p.step));
  let xHi = Math.max(...all.map((p) => p.step));
  if (xHi === xLo) xHi = xLo + 1;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (step: number) => MARGIN.left + ((step - xLo) / (xHi - xLo)) * plotW;
  const y = (v: number) => MARGIN.top + (1 - (v - yLo) / (yHi - yLo)) * plotH;
  const bottom = MARGIN.top + plotH;

  const parts: string[] = [];
  for (const t of niceTicks(yLo, yHi)) {
    const ty = y(t).toFixed(1);
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${ty}" y2="${ty}" class="grid"/>`);
    parts.push(
      `<text x="${MARGIN.left - 8}" y="${ty}" class="tick" text-anchor="end" dominant-baseline="middle">${formatNumber(t)}</text>`,
    );
  }
  for (const t of niceTicks(xLo, xHi).filter((t) => Number.isInteger(t))) {
    const tx = x(t).toFixed(1);
    parts.push(`<line x1="${tx}" x2="${tx}" y1="${bottom}" y2="${bottom + 5}" class="axis"/>`);
    parts.push(`<text x="${tx}" y="${bottom + 20}" class="tick" text-anchor="middle">${t}</text>`);
  }
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${bottom}" class="axis"/>`);
  parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${bottom}" y2="${bottom}" class="axis"/>`);
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 6}" class="label" text-anchor="middle">step</text>`);
  for (const s of finite) {
    if (s.points.length === 0) continue;
    const pts = s.points.map((p) => `${x(p.step).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline points="${pts}" fill="none" stroke="${escapeHtml(s.colour)}" stroke-width="2" stroke-linejoin="round"><title>${escapeHtml(s.name)}</title></polyline>`,
    );
  }
  const label = escapeHtml(title);
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${label}"><title>${label}</title>${parts.join('')}</svg>`;
}
