/** The right-hand panel: the selected node's parameters and docs, or the graph's own details. */
import { useEditor } from '../../store';
import { GraphInspector } from './GraphInspector';
import { NodeInspector } from './NodeInspector';
import { CollapseSelection } from '../block/CollapseSelection';

export function Inspector() {
  const selected = useEditor((s) => s.selectedNodeIds);
  const doc = useEditor((s) => s.doc);
  const nodes = doc.nodes.filter((n) => selected.includes(n.id));
  return (
    <aside className="inspector" data-testid="inspector" aria-label="Inspector">
      {nodes.length === 1 ? (
        <NodeInspector key={nodes[0].id} node={nodes[0]} />
      ) : nodes.length > 1 ? (
        <MultiSelection count={nodes.length} />
      ) : (
        <GraphInspector />
      )}
    </aside>
  );
}

function MultiSelection({ count }: { count: number }) {
  const duplicate = useEditor((s) => s.duplicateSelection);
  const remove = useEditor((s) => s.deleteSelection);
  return (
    <section className="inspector-section">
      <h2>{count} nodes selected</h2>
      <p className="muted">Drag to move them together; copy, duplicate or delete them as one step.</p>
      <div className="button-row">
        <button onClick={duplicate}>Duplicate</button>
        <button className="danger" onClick={remove}>
          Delete
        </button>
      </div>
      <CollapseSelection />
    </section>
  );
}
