/**
 * A look inside a block: its parameters (edited here or in the inspector, the
 * table follows live), the layers it expands to with the shape after each, and
 * "Unpack into layers", which replaces the block by those layers as ordinary,
 * separately editable nodes (one undo step).
 */
import type { ParamDecls } from '../../graph/params';
import { formatShape } from '../../graph/shape';
import { editorStore, useCompiled, useEditor } from '../../store';
import { checkUnpack } from '../../store/unpack';
import { formatCount, formatParamValue } from '../format';
import { ParamField } from '../inspector/ParamField';
import { blockLayers } from './blockLayers';
import { Modal } from './Modal';

export function BlockView({ nodeId, onClose }: { nodeId: string; onClose: () => void }) {
  const node = useEditor((s) => s.doc.nodes.find((n) => n.id === nodeId));
  const doc = useEditor((s) => s.doc);
  const registry = useEditor((s) => s.registry);
  const compiled = useCompiled();
  const def = node && registry[node.type];
  if (!node || !def) return null;
  const { rows, error } = blockLayers(def, node, doc, compiled.shapes[nodeId]?.inputs ?? {}, registry, compiled.data);
  const batch = compiled.data?.batchSize;
  const name = node.label || def.title;
  const isBlock = def.kind === 'block';
  const unpack = checkUnpack(doc, registry, nodeId);
  const count = compiled.paramCounts[nodeId];
  const s = editorStore.getState();

  const doUnpack = () => {
    const result = s.unpackBlock(nodeId);
    if (!result.ok) return s.notify('error', `Could not unpack ${name}: ${result.reason}`);
    s.notify('info', `Unpacked “${name}” into ${result.ids.length} layers. Undo puts the block back.`);
    s.frameOpened(result.ids);
    onClose();
  };

  return (
    <Modal title={`Inside ${name}`} onClose={onClose} className="block-view" testId="block-view">
      <p className="muted small">
        {isBlock
          ? 'The block stands for these layers, in data-flow order. Change them through the block’s parameters (here or in the inspector), or unpack the block to edit each layer on its own.'
          : `${def.title} holds this network inside, in data-flow order. Change it through the layer’s parameters (here or in the inspector). It cannot be unpacked into nodes: the layer runs it in both directions, forward and inverse.`}
      </p>
      {Object.keys(def.params).length > 0 && (
        <section className="block-params" data-testid="block-params">
          {Object.entries(def.params as ParamDecls).map(([pname, decl]) => (
            <ParamField
              key={pname}
              idPrefix="block-param"
              name={pname}
              decl={decl}
              value={Object.hasOwn(node.params, pname) ? node.params[pname] : decl.default}
              refCandidates={[]}
              onCommit={(v) => s.setParam(nodeId, pname, v)}
            />
          ))}
        </section>
      )}
      {error && (
        <p className="invalid-text" data-testid="block-error">
          {error}
        </p>
      )}
      <table className="layer-table" data-testid="layer-table">
        <thead>
          <tr>
            <th>Layer</th>
            <th>Parameters</th>
            <th>Reads</th>
            <th>Output shape</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid={`layer-row-${r.id}`}>
              <td>
                <strong>{r.title}</strong> <span className="muted">{r.id}</span>
              </td>
              <td className="small">
                {Object.entries(r.params)
                  .map(([k, v]) => `${k} ${formatParamValue(v)}`)
                  .join(' · ') || '—'}
              </td>
              <td className="small mono">{r.inputs.join(', ') || '—'}</td>
              <td className="mono">
                {r.problem ? (
                  <span className="invalid-text">{r.problem}</span>
                ) : (
                  Object.entries(r.outputs)
                    .map(([p, sh]) => `${p}: ${formatShape(sh, batch)}`)
                    .join(', ')
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {count !== undefined && count > 0 && (
        <p className="muted small" data-testid="block-param-count">
          {formatCount(count)} trainable values in all.
        </p>
      )}
      {isBlock && (
        <section className="unpack">
          <div className="unpack-row">
            <button
              className="primary"
              disabled={!unpack.ok}
              onClick={doUnpack}
              data-testid="unpack-block"
              title={unpack.ok ? 'Replace the block by these layers (undoable)' : unpack.reason}
            >
              Unpack into layers
            </button>
            <span className="small muted">
              Replaces the block on the canvas by these layers as ordinary nodes. Its edges and the optimizers that train it follow; the
              network and its shapes stay the same. Undo puts the block back.
            </span>
          </div>
          {!unpack.ok && (
            <p className="small invalid-text" data-testid="unpack-reason">
              Cannot unpack: {unpack.reason}
            </p>
          )}
          {unpack.ok &&
            unpack.caveats.map((c, i) => (
              <p key={i} className="small warning-text" data-testid="unpack-caveat">
                Note: {c}
              </p>
            ))}
        </section>
      )}
    </Modal>
  );
}
