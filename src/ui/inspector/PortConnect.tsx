/**
 * Wiring without a mouse: each input of the selected node chooses its source
 * from the outputs in the graph that carry its type and would not close a
 * loop. Choosing only drafts; the Connect button commits, so stepping through
 * the list with the arrow keys does not add an edge (and an undo step) per key.
 */
import { useState } from 'react';
import type { GraphDocument, GraphNode } from '../../graph/document';
import type { PortDecl } from '../../graph/nodeApi';
import { activePortsOf, portMismatch } from '../../graph/ports';
import { formatShape } from '../../graph/shape';
import { editorStore, useCompiled, useEditor } from '../../store';
import { sharedOwner } from '../../store/docOps';

const SEP = '\u0000';

export function PortConnect({ node }: { node: GraphNode }) {
  const doc = useEditor((s) => s.doc);
  const registry = useEditor((s) => s.registry);
  const def = registry[node.type];
  if (!def) return null;
  const params = sharedOwner(doc, node.id)?.params ?? node.params;
  const inputs = activePortsOf(def, params).inputs;
  if (!inputs.length) return null;
  const downstream = downstreamOf(doc, node.id);
  return (
    <section className="inspector-section" aria-labelledby="port-connect-head">
      <h3 id="port-connect-head">Inputs</h3>
      {inputs.map((port) => (
        <InputSource key={port} node={node} port={port} decl={def.inputs[port]} downstream={downstream} />
      ))}
    </section>
  );
}

function InputSource({ node, port, decl, downstream }: { node: GraphNode; port: string; decl: PortDecl; downstream: Set<string> }) {
  const doc = useEditor((s) => s.doc);
  const registry = useEditor((s) => s.registry);
  const compiled = useCompiled();
  const edge = doc.edges.find((e) => e.target === node.id && e.targetPort === port);
  const current = edge ? `${edge.source}${SEP}${edge.sourcePort}` : '';
  const [draft, setDraft] = useState<string | null>(null);
  const chosen = draft ?? current;
  const batch = compiled.data?.batchSize;
  // Outputs whose kind this port takes (the same check as a drop on the canvas), on nodes this one does not feed (an edge from those would close a loop).
  const sources = doc.nodes
    .filter((n) => n.id !== node.id && !downstream.has(n.id))
    .flatMap((n) => {
      const d = registry[n.type];
      return Object.entries(d?.outputs ?? {})
        .filter(([out, o]) => portMismatch(o, out, decl, port) === null)
        .map(([out]) => {
          const shape = compiled.shapes[n.id]?.outputs[out];
          const name = n.label || `${d!.title} ${n.id}`;
          return { value: `${n.id}${SEP}${out}`, text: `${name} · ${out}${shape ? ` (${formatShape(shape, batch)})` : ''}` };
        });
    });
  const id = `connect-${node.id}-${port}`;
  const verb = !chosen && edge ? 'Disconnect' : 'Connect';
  const s = editorStore.getState();
  const connect = () => {
    setDraft(null);
    if (chosen === current) return;
    if (!chosen) {
      if (edge) s.removeElements([], [edge.id]);
      return;
    }
    const [source, sourcePort] = chosen.split(SEP);
    const verdict = s.connect({ source, sourcePort, target: node.id, targetPort: port });
    if (!verdict.ok) s.notify('error', `Cannot connect ${source}.${sourcePort} to ${port}: ${verdict.reason}`);
  };
  return (
    <div className="field port-connect" data-testid={`port-connect-${port}`}>
      <label htmlFor={id}>
        <span className={`port-dot port-${decl.type}`} aria-hidden />
        {port}
        {decl.optional ? '?' : ''} ← source <span className="muted">({decl.type})</span>
      </label>
      <div className="port-connect-row">
        <select id={id} value={chosen} onChange={(e) => setDraft(e.target.value)} data-testid={id}>
          <option value="">{decl.optional ? 'not connected (optional)' : 'not connected'}</option>
          {sources.map((o) => (
            <option key={o.value} value={o.value}>
              {o.text}
            </option>
          ))}
          {/* An edge whose source the filter left out (e.g. a node that now sits downstream) still shows as chosen. */}
          {current && !sources.some((o) => o.value === current) && <option value={current}>{current.replace(SEP, ' · ')}</option>}
        </select>
        {/* Never disabled: a button disabled under the keyboard's focus drops that focus to the page. */}
        <button onClick={connect} data-testid={`${id}-apply`} aria-label={`${verb} ${port}`}>
          {verb}
        </button>
      </div>
    </div>
  );
}

/** Every node that `id` feeds, directly or not. */
function downstreamOf(doc: GraphDocument, id: string): Set<string> {
  const seen = new Set<string>();
  const stack = [id];
  while (stack.length) {
    const at = stack.pop()!;
    for (const e of doc.edges) {
      if (e.source === at && !seen.has(e.target)) {
        seen.add(e.target);
        stack.push(e.target);
      }
    }
  }
  return seen;
}
