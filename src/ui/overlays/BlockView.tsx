/** A read-only look inside a block: the layers it expands to and the shape after each. */
import { formatShape } from '../../graph/shape';
import { useCompiled, useEditor } from '../../store';
import { formatParamValue } from '../format';
import { blockLayers } from './blockLayers';
import { Modal } from './Modal';

export function BlockView({ nodeId, onClose }: { nodeId: string; onClose: () => void }) {
  const node = useEditor((s) => s.doc.nodes.find((n) => n.id === nodeId));
  const registry = useEditor((s) => s.registry);
  const compiled = useCompiled();
  const def = node && registry[node.type];
  if (!node || !def) return null;
  const { rows, error } = blockLayers(def, node.params, compiled.shapes[nodeId]?.inputs ?? {}, registry, compiled.data);
  const batch = compiled.data?.batchSize;
  return (
    <Modal title={`Inside ${node.label || def.title}`} onClose={onClose} className="block-view" testId="block-view">
      <p className="muted small">The block stands for these layers, in data-flow order. Change them through the block’s parameters in the inspector.</p>
      {error && <p className="invalid-text">{error}</p>}
      <table className="layer-table">
        <thead>
          <tr><th>Layer</th><th>Parameters</th><th>Reads</th><th>Output shape</th></tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td><strong>{r.title}</strong> <span className="muted">{r.id}</span></td>
              <td className="small">{Object.entries(r.params).map(([k, v]) => `${k} ${formatParamValue(v)}`).join(' · ') || '—'}</td>
              <td className="small mono">{r.inputs.join(', ') || '—'}</td>
              <td className="mono">{r.problem ? <span className="invalid-text">{r.problem}</span> : Object.entries(r.outputs).map(([p, s]) => `${p}: ${formatShape(s, batch)}`).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
