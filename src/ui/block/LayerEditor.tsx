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
import { chainLayerTypes, type Ref, type Verdict } from '../../store/blockOps';
import { ParamField } from '../inspector/ParamField';
import type { LayerRow } from '../overlays/blockLayers';
import { LayerCells } from './LayerCells';
import './blockEditor.css';

interface Props {
  nodeId: string;
  rows: LayerRow[];
  batch?: number;
  /** The block's own definition, when it has one (its ports can then be named). */
  definition?: BlockDefinition;
  /** Input ports of the block, for "insert at the start". */
  inputs: string[];
}

const say = (v: Verdict) => {
  if (!v.ok) editorStore.getState().notify('warn', `Not changed: ${v.reason}`);
  return v.ok;
};

export function LayerEditor({ nodeId, rows, batch, definition, inputs }: Props) {
  const registry = useEditor((s) => s.registry);
  const [open, setOpen] = useState<string | null>(null);
  const s = editorStore.getState();
  const outputOf = (r: LayerRow) => Object.keys(r.outputs)[0] ?? Object.keys(registry[r.type]?.outputs ?? {})[0] ?? 'y';

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
                      onClick={() => say(s.moveBlockLayer(nodeId, r.id, -1))}
                      disabled={i === 0}
                      aria-label={`Move ${r.id} up`}
                      data-testid={`layer-up-${r.id}`}
                    >
                      ↑
                    </button>
                    <button
                      onClick={() => say(s.moveBlockLayer(nodeId, r.id, 1))}
                      disabled={i === rows.length - 1}
                      aria-label={`Move ${r.id} down`}
                      data-testid={`layer-down-${r.id}`}
                    >
                      ↓
                    </button>
                    <button
                      className="danger"
                      onClick={() => say(s.removeBlockLayer(nodeId, r.id))}
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
                      <div className="block-params layer-params" data-testid={`layer-params-${r.id}`}>
                        {Object.entries(decls).map(([pname, decl]) => (
                          <ParamField
                            key={pname}
                            idPrefix={`layer-${r.id}`}
                            name={pname}
                            decl={decl}
                            value={Object.hasOwn(r.params, pname) ? r.params[pname] : decl.default}
                            refCandidates={[]}
                            onCommit={(v) => say(s.setBlockLayerParam(nodeId, r.id, pname, v))}
                          />
                        ))}
                      </div>
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      <InsertBar nodeId={nodeId} rows={rows} inputs={inputs} outputOf={outputOf} />
      {definition && <PortNames nodeId={nodeId} definition={definition} />}
    </>
  );
}

function InsertBar({
  nodeId,
  rows,
  inputs,
  outputOf,
}: {
  nodeId: string;
  rows: LayerRow[];
  inputs: string[];
  outputOf(r: LayerRow): string;
}) {
  const registry = useEditor((s) => s.registry);
  const types = chainLayerTypes(registry);
  const places: { key: string; label: string; ref: Ref }[] = [
    ...inputs.map((p) => ({ key: `in:${p}`, label: `the block’s input ${p} (at the start)`, ref: { input: p } })),
    ...rows.map((r) => ({ key: `layer:${r.id}`, label: r.id, ref: { node: r.id, port: outputOf(r) } })),
  ];
  const [type, setType] = useState('dropout');
  const [place, setPlace] = useState(places[places.length - 1]?.key ?? '');
  const chosen = places.find((p) => p.key === place) ?? places[places.length - 1];
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
      <button
        className="primary"
        disabled={!chosen}
        onClick={() => chosen && say(editorStore.getState().insertBlockLayer(nodeId, chosen.ref, type))}
      >
        Insert layer
      </button>
    </div>
  );
}

function PortNames({ nodeId, definition }: { nodeId: string; definition: BlockDefinition }) {
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
                  say(editorStore.getState().renameBlockPort(nodeId, p, e.target.value));
              }}
              onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
            />
          </label>
        ))}
      </div>
    </section>
  );
}
