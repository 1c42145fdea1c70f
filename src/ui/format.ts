/** Short, readable renderings of numbers and parameter values for nodes and panels. */

export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 2 : 1).replace(/\.?0+$/, '')}k`;
  return `${(n / 1e6).toFixed(2).replace(/\.?0+$/, '')}M`;
}

export function formatParamValue(v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.join(', ') : '—';
  if (typeof v === 'number') return Number.isInteger(v) || Math.abs(v) >= 0.01 ? String(Number(v.toPrecision(6))) : v.toExponential(1);
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (v === undefined || v === null || v === '') return '—';
  return String(v);
}
