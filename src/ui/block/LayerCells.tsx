/** A layer row's parameters, inputs and output shapes (or its problem): the cells the block view and the layer editor share. */
import { formatShape } from '../../graph/shape';
import { formatParamValue } from '../format';
import type { LayerRow } from '../overlays/blockLayers';

export function LayerCells({ row, batch }: { row: LayerRow; batch: number | undefined }) {
  return (
    <>
      <td className="small">
        {Object.entries(row.params)
          .map(([k, v]) => `${k} ${formatParamValue(v)}`)
          .join(' · ') || '—'}
      </td>
      <td className="small mono">{row.inputs.join(', ') || '—'}</td>
      <td className="mono">
        {row.problem ? (
          <span className="invalid-text">{row.problem}</span>
        ) : (
          Object.entries(row.outputs)
            .map(([p, sh]) => `${p}: ${formatShape(sh, batch)}`)
            .join(', ')
        )}
      </td>
    </>
  );
}
