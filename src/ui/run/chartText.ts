/**
 * Text alternatives for the charts: what a screen reader reads for a curve,
 * its latest value and its trend (e.g. "4.64 nats, falling"), so a chart is
 * never told by its pixels alone.
 */
import { trendOf } from './LossChart';
import { formatReading } from './lossReadout';

/** The latest finite value with its unit and trend, or null before there is one. */
export function seriesText(values: readonly (number | null | undefined)[], unit = ''): string | null {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (finite.length === 0) return null;
  const trend = trendOf(finite);
  return `${formatReading(finite[finite.length - 1])}${unit ? ` ${unit}` : ''}${trend ? `, ${trend}` : ''}`;
}
