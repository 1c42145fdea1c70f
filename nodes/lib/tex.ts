/** Helpers for the TeX of node equations (explain mode). */

/** A parameter's number as TeX: up to 4 significant digits, powers of ten written out (1e-7 → 1 \times 10^{-7}). */
export function texNumber(value: number): string {
  if (!Number.isFinite(value)) return '?';
  const [mantissa, exponent] = Number(value.toPrecision(4)).toExponential().split('e');
  const power = Number(exponent);
  if (Math.abs(power) < 5) return String(Number(value.toPrecision(4)));
  return `${Number(mantissa)} \\times 10^{${power}}`;
}
