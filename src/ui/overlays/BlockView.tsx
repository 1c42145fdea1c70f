/**
 * A look inside a block, and its editor: the layers it stands for with the
 * shape after each, edited in place (a layer's parameters, insert, reorder,
 * delete; see src/ui/block/LayerEditor.tsx), and "Back to the graph". A
 * block whose layers were never edited shows its own parameters too, and can
 * be unpacked into ordinary nodes. A layer's inner network (an affine
 * coupling's) is listed read-only.
 */
import { useEffect, useState } from 'react';
import type { ParamDecls } from '../../graph/params';
import { editorStore, redo, undo, useCompiled, useEditor, useHistory } from '../../store';
import { checkUnpack } from '../../store/unpack';
import { formatCount } from '../format';
import { ParamField } from '../inspector/ParamField';
import { definitionOf } from '../../compiler/blocks';
import { isOwnBlock } from '../../store/blockOps';
import { LayerCells } from '../block/LayerCells';
import { BlockCanvas } from '../block/BlockCanvas';
import { LayerEditor, PortNames } from '../block/LayerEditor';
import { blockLayers, type LayerRow } from './blockLayers';
import { Modal } from './Modal';

export function BlockView({ nodeId, onClose }: { nodeId: string; onClose: () => void }) {
  const node = useEditor((s) => s.doc.nodes.find((n) => n.id === nodeId));
  const history = useHistory();
  const [shown, setShown] = useState<'canvas' | 'list'>('canvas');
  useUndoKeys();
  const doc = useEditor((s) => s.doc);
  const registry = useEditor((s) => s.registry);
  const compiled = useCompiled();
  const def = node && registry[node.type];
  if (!node || !def) return null;
  const inputShapes = compiled.shapes[nodeId]?.inputs ?? {};
  const { rows, error, outputs = {} } = blockLayers(def, node, doc, inputShapes, registry, compiled.data);
  const batch = compiled.data?.batchSize;
  const name = node.label || def.title;
  const isBlock = def.kind === 'block';
  const definition = isBlock ? definitionOf(doc, node) : undefined;
  const unpack = checkUnpack(doc, registry, nodeId);
  const count = compiled.paramCounts[nodeId];
  const s = editorStore.getState();
  const ownerId = node.sharesWeightsWith ?? nodeId;
  const sharing = doc.nodes.filter((n) => n.id !== nodeId && (n.id === ownerId || n.sharesWeightsWith === ownerId));
  // A copied block refers to the same definition with weights of its own: its layers follow these edits too.
  const sameLayers = definition
    ? doc.nodes.filter((n) => n.id !== nodeId && !sharing.includes(n) && definitionOf(doc, n) === definition)
    : [];
  const problems = compiled.errors.filter((e) => e.nodeId === nodeId && e.severity === 'error' && e.code !== 'frozen');
  const inputs = definition ? Object.keys(definition.inputs) : Object.keys(compiled.shapes[nodeId]?.inputs ?? {});

  const doUnpack = () => {
    const result = s.unpackBlock(nodeId);
    if (!result.ok) return s.notify('error', `Could not unpack ${name}: ${result.reason}`);
    s.notify('info', `Unpacked “${name}” into ${result.ids.length} layers. Undo puts the block back.`);
    s.frameOpened(result.ids);
    onClose();
  };

  return (
    <Modal
      title={`Inside ${name}`}
      onClose={onClose}
      className={`block-view${isBlock && shown === 'canvas' ? ' wide' : ''}`}
      testId="block-view"
    >
      <div className="block-toolbar">
        <button onClick={onClose} data-testid="block-back">
          ← Back to the graph
        </button>
        {isBlock && (
          <span className="button-row">
            <button onClick={() => undo(editorStore)} disabled={!history.canUndo} data-testid="block-undo" title="Undo (Ctrl Z)">
              Undo
            </button>
            <button onClick={() => redo(editorStore)} disabled={!history.canRedo} data-testid="block-redo" title="Redo (Ctrl Shift Z)">
              Redo
            </button>
          </span>
        )}
        <p className="muted small">
          {isBlock
            ? 'The layers this block stands for, in data-flow order, with the shape after each. Edit a layer, insert, move or delete one: the shapes and problems update as you go, and Undo steps back through each change.'
            : `${def.title} holds this network inside, in data-flow order. Change it through the layer’s parameters (here or in the inspector). It cannot be unpacked into nodes: the layer runs it in both directions, forward and inverse.`}
        </p>
      </div>
      {sharing.length > 0 && (
        <p className="small" data-testid="block-shared">
          One set of layers and weights: {sharing.map((n) => `“${n.label || n.id}”`).join(', ')} {sharing.length > 1 ? 'use' : 'uses'} the
          same ones, so an edit here changes {sharing.length > 1 ? 'them' : 'it'} too.
        </p>
      )}
      {sameLayers.length > 0 && (
        <p className="small" data-testid="block-same-layers">
          One layer list, separate weights: {sameLayers.map((n) => `“${n.label || n.id}”`).join(', ')}{' '}
          {sameLayers.length > 1 ? 'are' : 'is'} built from these layers too, so an edit here changes{' '}
          {sameLayers.length > 1 ? 'them' : 'it'} as well.
        </p>
      )}
      {definition && isOwnBlock(def) ? null : definition ? (
        <div className="block-notice" data-testid="block-own-layers">
          <p className="small">
            These are the block’s own layers now; its parameters ({Object.keys(def.params).join(', ') || 'none'}) no longer shape them.
          </p>
          <button onClick={() => s.resetBlockLayers(nodeId)} data-testid="block-reset">
            Use its parameters again
          </button>
        </div>
      ) : (
        Object.keys(def.params).length > 0 && (
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
        )
      )}
      {error && (
        <p className="invalid-text" data-testid="block-error">
          {error}
        </p>
      )}
      {isBlock && problems.length > 0 && (
        <ul className="block-problems invalid-text small" data-testid="block-problems">
          {problems.map((e, i) => (
            <li key={i}>
              {e.message}
              {e.hint && <span className="muted"> — {e.hint}</span>}
            </li>
          ))}
        </ul>
      )}
      {isBlock ? (
        <>
          <div className="segmented" role="group" aria-label="Show the layers as">
            {(['canvas', 'list'] as const).map((v) => (
              <button key={v} aria-pressed={shown === v} onClick={() => setShown(v)} data-testid={`block-show-${v}`}>
                {v === 'canvas' ? 'Canvas' : 'List'}
              </button>
            ))}
          </div>
          {shown === 'canvas' ? (
            <BlockCanvas
              nodeId={nodeId}
              rows={rows}
              batch={batch}
              definition={definition}
              inputs={inputs}
              inputShapes={inputShapes}
              outputs={outputs}
            />
          ) : (
            <LayerEditor nodeId={nodeId} rows={rows} batch={batch} inputs={inputs} />
          )}
          {definition && <PortNames nodeId={nodeId} definition={definition} />}
        </>
      ) : (
        <ReadOnlyLayers rows={rows} batch={batch} />
      )}
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

/** A layer's inner network: listed, not edited (it is shaped by the layer's parameters). */
function ReadOnlyLayers({ rows, batch }: { rows: LayerRow[]; batch?: number }) {
  return (
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
            <LayerCells row={r} batch={batch} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Ctrl Z / Ctrl Shift Z (Ctrl Y) undo and redo block edits here too: the canvas's shortcuts stay off while a dialog is open. */
function useUndoKeys() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (!(e.ctrlKey || e.metaKey) || (el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable))) return;
      const key = e.key.toLowerCase();
      if (key === 'z' && !e.shiftKey) undo(editorStore);
      else if ((key === 'z' && e.shiftKey) || key === 'y') redo(editorStore);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
