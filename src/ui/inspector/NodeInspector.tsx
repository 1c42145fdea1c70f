/** Everything about one node: what it does, its ports and shapes, its parameters, sharing and training. */
import type { GraphNode } from '../../graph/document';
import { paramInUse, type ParamDecls } from '../../graph/params';
import { activePortsOf } from '../../graph/ports';
import { formatShape } from '../../graph/shape';
import { editorStore, useCompiled, useEditor } from '../../store';
import { sharedOwner } from '../../store/docOps';
import { categoryColor, CATEGORY_LOOK } from '../look';
import { formatCount } from '../format';
import { InspectorEquation } from '../explain/NodeEquation';
import { isParamLocked } from '../../store/exercise';
import { NodeExerciseControls } from '../exercise/NodeExerciseControls';
import { DataPicker } from './DataPicker';
import { DraftText } from './DraftText';
import { ParamField, type ParamLock } from './ParamField';
import { PortConnect } from './PortConnect';
import { definitionOf } from '../../compiler/blocks';

export function NodeInspector({ node }: { node: GraphNode }) {
  const registry = useEditor((s) => s.registry);
  const doc = useEditor((s) => s.doc);
  const compiled = useCompiled();
  const learner = useEditor((s) => s.exerciseRole === 'learner');
  const hasExercise = !!doc.exercise;
  const def = registry[node.type];
  const s = editorStore.getState();
  const problems = compiled.errors.filter((e) => e.nodeId === node.id);
  const shapes = compiled.shapes[node.id];
  const batch = compiled.data?.batchSize;
  const hasWeights = (n: GraphNode) => {
    const d = registry[n.type];
    return !!d && (d.kind === 'block' || d.trainable);
  };
  const trains = compiled.trainedBy[node.id];
  const trainers = Object.entries(compiled.trainedBy)
    .filter(([, ids]) => ids.includes(node.id))
    .map(([opt]) => opt);
  const labelOf = (id: string) => doc.nodes.find((n) => n.id === id)?.label || id;
  // A node that shares another's weights runs with that node's parameters (the compiler uses the owner's): show and edit those.
  const owner = sharedOwner(doc, node.id);
  const paramsNode = owner ?? node;

  if (!def) {
    return (
      <section className="inspector-section">
        <h2>{node.id}</h2>
        <p className="invalid-text">Unknown node type “{node.type}”. Delete it or update Latent Lab.</p>
      </section>
    );
  }
  // Only the ports these parameters give the node (an edge left on another one is listed under Problems).
  const ports = activePortsOf(def, paramsNode.params);
  return (
    <>
      <section className="inspector-section">
        <div className="inspector-kicker cat-kicker" style={{ ['--cat' as string]: categoryColor(def.category) }}>
          {CATEGORY_LOOK[def.category].label} · {def.kind}
        </div>
        <h2 data-testid="inspector-title">{def.title}</h2>
        <p className="doc-text" data-testid="inspector-doc">
          {def.doc}
        </p>
        <InspectorEquation nodeId={node.id} />
        <NodeExerciseControls node={node} />
        <div className="field">
          <label className="wraps">
            Label
            <DraftText
              key={`label:${node.label ?? ''}`}
              value={node.label ?? ''}
              placeholder={node.id}
              maxLength={200}
              testId="inspector-label"
              onCommit={(v) => s.setNodeFields(node.id, { label: v })}
            />
          </label>
        </div>
        <div className="field">
          <label className="wraps">
            Notes
            <DraftText
              key={`notes:${node.notes ?? ''}`}
              value={node.notes ?? ''}
              multiline
              placeholder="Anything worth remembering about this node"
              maxLength={20_000}
              testId="inspector-notes"
              onCommit={(v) => s.setNodeFields(node.id, { notes: v })}
            />
          </label>
        </div>
        <p className="muted small">
          id <code>{node.id}</code>
          {compiled.paramCounts[node.id] ? ` · ${formatCount(compiled.paramCounts[node.id])} trainable values` : ''}
        </p>
      </section>

      {problems.length > 0 && (
        <section className="inspector-section">
          <h3>Problems</h3>
          <ul className="problem-list">
            {problems.map((e, i) => (
              <li key={i} className={e.severity}>
                <strong>{e.port ?? e.param ?? (e.severity === 'warning' ? 'warning' : 'error')}:</strong> {e.message}
                {e.hint && <div className="hint">{e.hint}</div>}
              </li>
            ))}
          </ul>
        </section>
      )}

      <PortConnect node={node} />

      {def.dataset && <DataPicker node={paramsNode} />}

      {(ports.inputs.length > 0 || ports.outputs.length > 0) && (
        <section className="inspector-section">
          <h3>Ports</h3>
          <table className="port-table">
            <tbody>
              {[
                ...ports.inputs.map((p) => ['in', p, def.inputs[p], shapes?.inputs[p]] as const),
                ...ports.outputs.map((p) => ['out', p, def.outputs[p], shapes?.outputs[p]] as const),
              ].map(([side, port, decl, shape]) => (
                <tr key={`${side}${port}`} title={decl.doc}>
                  <td className="muted">{side}</td>
                  <td>
                    <span className={`port-dot port-${decl.type}`} />
                    {port}
                    {decl.optional ? '?' : ''}
                  </td>
                  <td className="mono">{shape ? formatShape(shape, batch) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      {Object.keys(def.params).length > 0 && (
        <section className="inspector-section">
          <h3>Parameters</h3>
          {owner && (
            <p className="muted small" data-testid="shared-params-note">
              Shared with {owner.label || owner.id}: these are its parameters (one set of weights), so an edit here changes both.
            </p>
          )}
          {def.kind === 'block' && definitionOf(doc, node) && (
            <p className="muted small" data-testid="own-layers-note">
              This block runs its own edited layer list, not these parameters: open its layers to change it, or choose “Use its parameters
              again” there.
            </p>
          )}
          {Object.entries(def.params as ParamDecls).map(([name, decl]) => {
            if (!paramInUse(decl, paramsNode.params, def.params as ParamDecls)) return null;
            const locked = isParamLocked(paramsNode, name);
            return (
              // A parameter the exercise fixes is shown read-only to the learner (the store refuses edits anyway).
              <fieldset key={name} className="locked-fields" disabled={learner && locked}>
                <ParamField
                  name={name}
                  decl={decl}
                  value={Object.hasOwn(paramsNode.params, name) ? paramsNode.params[name] : decl.default}
                  refCandidates={doc.nodes.filter((n) => n.id !== node.id && hasWeights(n))}
                  onCommit={(v) => s.setParam(paramsNode.id, name, v)}
                  lock={paramLock(paramsNode, name, locked, hasExercise, learner)}
                />
              </fieldset>
            );
          })}
        </section>
      )}

      {hasWeights(node) && (
        <section className="inspector-section">
          <h3>Weights</h3>
          <div className="field">
            <label htmlFor="shares-weights">Share weights with</label>
            <select
              id="shares-weights"
              data-testid="inspector-shares"
              value={node.sharesWeightsWith ?? ''}
              onChange={(e) => s.setNodeFields(node.id, { sharesWeightsWith: e.target.value || null })}
            >
              <option value="">nobody (own weights)</option>
              {doc.nodes
                .filter((n) => n.type === node.type && n.id !== node.id && !n.sharesWeightsWith)
                .map((n) => (
                  <option key={n.id} value={n.id}>
                    {n.label || n.id}
                  </option>
                ))}
            </select>
            <p className="field-doc">Applies the same variables as that node (e.g. one discriminator on real and on fake images).</p>
          </div>
          <p className="small" data-testid="inspector-trained-by">
            {trainers.length
              ? `Trained by ${trainers.map(labelOf).join(', ')}.`
              : 'No optimizer trains this node: its weights stay frozen.'}
          </p>
          {(def.kind === 'block' || def.innerNetwork) && <button onClick={() => s.openBlock(node.id)}>Show the layers inside</button>}
        </section>
      )}

      {trains && (
        <section className="inspector-section">
          <h3>Trains</h3>
          <p className="small" data-testid="inspector-trains">
            {trains.length ? trains.map(labelOf).join(', ') : 'nothing yet'}
          </p>
          <p className="muted small">Highlighted on the canvas while this optimizer is selected.</p>
        </section>
      )}
    </>
  );
}

/**
 * The lock control beside a parameter in an exercise: the author toggles it
 * (a wholly locked node already fixes every parameter, so none is offered);
 * the learner is told why a fixed one is read-only.
 */
function paramLock(node: GraphNode, name: string, locked: boolean, hasExercise: boolean, learner: boolean): ParamLock | undefined {
  if (!hasExercise) return undefined;
  if (learner) {
    if (!locked) return undefined;
    return {
      role: 'learner',
      reason: node.locked
        ? 'Fixed by the exercise: this whole node is locked.'
        : `Fixed by the exercise: ${name} is part of the setup, so it stays as the author set it.`,
    };
  }
  if (node.locked) return undefined;
  return { role: 'author', locked, onToggle: (on) => editorStore.getState().setParamLocked(node.id, name, on) };
}
