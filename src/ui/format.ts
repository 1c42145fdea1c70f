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

/** Bytes as KB / MB / GB (powers of 1024), for the worker's tensor memory. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
