/**
 * Port kinds on the canvas: each kind has its own glyph *and* colour, so a
 * handle is told apart without colour vision, and a legend names them.
 */
import { Fragment } from 'react';
import { KIND_NAME, PORT_KINDS, type PortKind } from '../../graph/ports';
import { PORT_COLOR } from '../look';

/** Each at least 3:1 against the node background in both themes (a glyph is a graphic, WCAG 1.4.11). */
export const KIND_COLOR: Record<PortKind, string> = {
  tensor: PORT_COLOR.tensor,
  image: '#0e9f6e',
  vector: '#64748b',
  latent: '#8b5cf6',
  mean: '#c026d3',
  logVar: '#db2777',
  label: '#ea580c',
  timestep: '#0694a2',
  schedule: '#0891b2',
  logDet: '#0284c7',
  // A shade darker than the loss edges' amber, which is under 3:1 on white.
  loss: '#d97706',
};

/** Drawn in a 12×12 box; outlines keep a 2.5-wide stroke so hollow glyphs read at zoom 1. */
const GLYPH: Record<PortKind, { d: string; hollow?: boolean }> = {
  tensor: { d: 'M6 1.5a4.5 4.5 0 1 1 0 9a4.5 4.5 0 1 1 0-9z' },
  image: { d: 'M2.5 2.5h7v7h-7z', hollow: true },
  vector: { d: 'M1 3.5h10v5H1z' },
  latent: { d: 'M6 .5L11.5 6L6 11.5L.5 6z' },
  mean: { d: 'M6 1L11.5 11H.5z' },
  logVar: { d: 'M6 11L.5 1h11z' },
  label: { d: 'M4.5 1h3v3.5H11v3H7.5V11h-3V7.5H1v-3h3.5z' },
  timestep: { d: 'M6 2.2a3.8 3.8 0 1 1 0 7.6a3.8 3.8 0 1 1 0-7.6z', hollow: true },
  schedule: { d: 'M6 1.8L10.2 6L6 10.2L1.8 6z', hollow: true },
  logDet: { d: 'M3.2 1.2h5.6L11.6 6L8.8 10.8H3.2L.4 6z' },
  loss: { d: 'M1.5 1.5h9v9h-9z' },
};

export function PortGlyph({ kind, color = KIND_COLOR[kind] }: { kind: PortKind; color?: string }) {
  const g = GLYPH[kind];
  return (
    <svg
      viewBox="0 0 12 12"
      width="12"
      height="12"
      aria-hidden="true"
      className="port-glyph"
      style={{ display: 'block', pointerEvents: 'none' }}
    >
      <path
        d={g.d}
        fill={g.hollow ? 'var(--node-bg, #fff)' : color}
        stroke={g.hollow ? color : 'var(--node-bg, #fff)'}
        strokeWidth={g.hollow ? 2.5 : 1}
      />
    </svg>
  );
}

/** Every kind with its glyph and name, for the help overlay. */
export function PortLegend() {
  return (
    <table className="shortcut-table port-legend" data-testid="port-legend">
      <caption className="muted small" style={{ textAlign: 'left' }}>
        Port kinds. A plain tensor fits any kind but a loss; a vector also fits z, μ, log σ² and labels.
      </caption>
      <tbody>
        {pairs(PORT_KINDS).map((row) => (
          <tr key={row[0]}>
            {row.map((kind) => (
              <Fragment key={kind}>
                <td>
                  <PortGlyph kind={kind} />
                </td>
                <td>{KIND_NAME[kind]}</td>
              </Fragment>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The kinds two to a row. */
function pairs<T>(items: readonly T[]): T[][] {
  return items.flatMap((item, i) => (i % 2 ? [] : [items.slice(i, i + 2)]));
}
