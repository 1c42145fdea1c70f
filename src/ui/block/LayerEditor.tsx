/**
 * A block's layers as an editor: one row per layer in data-flow order with
 * what it reads and the shape it outputs (from the same expansion the
 * compiler inlines), a row opened to edit that layer's parameters, move it
 * up or down or take it out, and a bar to insert a layer after any point.
 * Every change is one undo step; a refused change says why.
 */
import { Fragment, useState } from 'react';
import type { BlockDefinition } from '../../graph/document';
import type { ParamDecls } from '../../graph/params';
import { editorStore, useEditor } from '../../store';
import { definitionOf } from '../../compiler/blocks';
import { chainLayerTypes, type Ref, type Verdict } from '../../store/blockOps';
import type { Registry } from '../../store/docOps';
import { ParamField } from '../inspector/ParamField';
import type { LayerRow } from '../overlays/blockLayers';
import { LayerCells } from './LayerCells';
import './blockEditor.css';

interface Props {
  nodeId: string;
  rows: LayerRow[];
  batch?: number;
  /** Input ports of the block, for "insert at the start". */
  inputs: string[];
}

/** True when the edit was made; a refused one is said in a notice. */
export const applied = (v: Verdict) => {
  if (!v.ok) editorStore.getState().notify('warn', `Not changed: ${v.reason}`);
  return v.ok;
};

export function LayerEditor({ nodeId, rows, batch, inputs }: Props) {
  const registry = useEditor((s) => s.registry);
  const [open, setOpen] = useState<string | null>(null);
  const s = editorStore.getState();

  return (
    <>
      <table className="layer-table layer-editor" data-testid="layer-table">
        <thead>
          <tr>
            <th>Layer</th>
            <th>Parameters</th>
            <th>Reads</th>
            <th>Output shape</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => {
            const def = registry[r.type];
            const decls = (def?.params ?? {}) as ParamDecls;
            const editing = open === r.id;
            return (
              <Fragment key={r.id}>
                <tr data-testid={`layer-row-${r.id}`} className={editing ? 'editing' : undefined}>
                  <td>
                    <span className="layer-index">{i + 1}</span> <strong>{r.title}</strong> <span className="muted">{r.id}</span>
                  </td>
                  <LayerCells row={r} batch={batch} />
                  <td className="layer-actions">
                    {Object.keys(decls).length > 0 && (
                      <button
                        aria-expanded={editing}
                        onClick={() => setOpen(editing ? null : r.id)}
                        data-testid={`layer-edit-${r.id}`}
                        aria-label={`${editing ? 'Close' : 'Edit'} the parameters of ${r.id}`}
                      >
                        {editing ? 'Done' : 'Edit'}
                      </button>
                    )}
                    <button
                      onClick={() => applied(s.moveBlockLayer(nodeId, r.id, -1))}
                      disabled={i === 0}
                      aria-label={`Move ${r.id} up`}
                      data-testid={`layer-up-${r.id}`}
                    >
                      ↑
                    </button>
                    <button
                      onClick={() => applied(s.moveBlockLayer(nodeId, r.id, 1))}
                      disabled={i === rows.length - 1}
                      aria-label={`Move ${r.id} down`}
                      data-testid={`layer-down-${r.id}`}
                    >
                      ↓
                    </button>
                    <button
                      className="danger"
                      onClick={() => applied(s.removeBlockLayer(nodeId, r.id))}
                      aria-label={`Delete ${r.id}`}
                      data-testid={`layer-delete-${r.id}`}
                    >
                      ✕
                    </button>
                  </td>
                </tr>
                {editing && (
                  <tr className="layer-params-row">
                    <td colSpan={5}>
                      <LayerParamFields nodeId={nodeId} row={r} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      <InsertBar nodeId={nodeId} rows={rows} inputs={inputs} />
    </>
  );
}

/** A layer's parameter fields; a change is one undo step, a refused one says why. */
export function LayerParamFields({ nodeId, row }: { nodeId: string; row: LayerRow }) {
  const decls = (useEditor((s) => s.registry[row.type])?.params ?? {}) as ParamDecls;
  return (
    <div className="block-params layer-params" data-testid={`layer-params-${row.id}`}>
      {Object.entries(decls).map(([pname, decl]) => (
        <ParamField
          key={pname}
          idPrefix={`layer-${row.id}`}
          name={pname}
          decl={decl}
          value={Object.hasOwn(row.params, pname) ? row.params[pname] : decl.default}
          refCandidates={[]}
          onCommit={(v) => applied(editorStore.getState().setBlockLayerParam(nodeId, row.id, pname, v))}
        />
      ))}
    </div>
  );
}

export const layerOutputOf = (registry: Registry, r: LayerRow) =>
  Object.keys(r.outputs)[0] ?? Object.keys(registry[r.type]?.outputs ?? {})[0] ?? 'y';

/**
 * Insert a layer after any point of the chain: a block input or a layer.
 * `after` preselects that layer; `onInserted` hears the new layer's id.
 */
export function InsertBar({
  nodeId,
  rows,
  inputs,
  after,
  onInserted,
}: {
  nodeId: string;
  rows: LayerRow[];
  inputs: string[];
  after?: string;
  onInserted?(layerId: string): void;
}) {
  const registry = useEditor((s) => s.registry);
  const types = chainLayerTypes(registry);
  const places: { key: string; label: string; ref: Ref }[] = [
    ...inputs.map((p) => ({ key: `in:${p}`, label: `the block’s input ${p} (at the start)`, ref: { input: p } })),
    ...rows.map((r) => ({ key: `layer:${r.id}`, label: r.id, ref: { node: r.id, port: layerOutputOf(registry, r) } })),
  ];
  const [type, setType] = useState('dropout');
  const [place, setPlace] = useState(after ? `layer:${after}` : (places[places.length - 1]?.key ?? ''));
  const chosen = places.find((p) => p.key === place) ?? places[places.length - 1];
  const insert = () => {
    if (!chosen) return;
    const s = editorStore.getState();
    const before = new Set(rows.map((r) => r.id));
    if (!applied(s.insertBlockLayer(nodeId, chosen.ref, type))) return;
    const node = s.doc.nodes.find((n) => n.id === nodeId);
    const added = node && definitionOf(editorStore.getState().doc, node)?.nodes.find((n) => !before.has(n.id));
    if (added) onInserted?.(added.id);
  };
  return (
    <div className="insert-bar" data-testid="insert-layer">
      <label htmlFor="insert-layer-type">Insert</label>
      <select id="insert-layer-type" value={type} onChange={(e) => setType(e.target.value)} data-testid="insert-layer-type">
        {types.map((d) => (
          <option key={d.type} value={d.type}>
            {d.title}
          </option>
        ))}
      </select>
      <label htmlFor="insert-layer-after">after</label>
      <select id="insert-layer-after" value={chosen?.key} onChange={(e) => setPlace(e.target.value)} data-testid="insert-layer-after">
        {places.map((p) => (
          <option key={p.key} value={p.key}>
            {p.label}
          </option>
        ))}
      </select>
      <button className="primary" disabled={!chosen} onClick={insert}>
        Insert layer
      </button>
    </div>
  );
}

/** The block's own names for its ports, for the people who read the graph. */
export function PortNames({ nodeId, definition }: { nodeId: string; definition: BlockDefinition }) {
  const ports = [...Object.keys(definition.inputs).map((p) => ['input', p]), ...Object.keys(definition.outputs).map((p) => ['output', p])];
  return (
    <section className="port-names" data-testid="port-names">
      <h3>Ports</h3>
      <p className="muted small">Name the block’s inputs and outputs for the people who read this graph.</p>
      <div className="port-name-grid">
        {ports.map(([side, p]) => (
          <label key={p} className="field">
            <span>
              {side} <span className="mono">{p}</span>
            </span>
            <input
              key={definition.portNames?.[p] ?? p}
              defaultValue={definition.portNames?.[p] ?? ''}
              placeholder={p}
              maxLength={60}
              data-testid={`port-name-${p}`}
              onBlur={(e) => {
                if (e.target.value.trim() !== (definition.portNames?.[p] ?? ''))
                  applied(editorStore.getState().renameBlockPort(nodeId, p, e.target.value));
              }}
              onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
            />
          </label>
        ))}
      </div>
    </section>
  );
}
