/**
 * One document node, drawn entirely from its registry entry: title and
 * category colour, a row per port with a handle drawn by its kind, key
 * parameters, the parameter count and whatever the compiler found wrong with
 * it: the message, the hint and, where one is known, a one-click fix.
 */
import { memo, useContext } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { definitionOf } from '../../compiler/blocks';
import type { CompileResult } from '../../compiler/compile';
import type { GraphEdge, GraphNode as DocNode } from '../../graph/document';
import type { AnyNodeDef, PortDecl } from '../../graph/nodeApi';
import { activePortsOf, KIND_NAME, portKind, type PortSide } from '../../graph/ports';
import { formatShape, type Shape } from '../../graph/shape';
import { editorStore, useCompiled, useEditor } from '../../store';
import { sharedOwner } from '../../store/docOps';
import { categoryColor } from '../look';
import { FarZoom } from './farZoom';
import { FixButton } from './FixButton';
import { PortGlyph } from './portGlyph';
import { formatCount, formatParamValue } from '../format';
import { NodeEquation } from '../explain/NodeEquation';
import { useHistoryStore } from '../run/historyStore';
import { SHARE_IN, SHARE_OUT, type GraphFlowNode } from './viewModel';

function GraphNodeView({ id, data, selected }: NodeProps<GraphFlowNode>) {
  const { node, trained } = data;
  const def = useEditor((s) => s.registry[node.type]) as AnyNodeDef | undefined;
  const compiled = useCompiled();
  const problems = compiled.errors.filter((e) => e.nodeId === id);
  const errors = problems.filter((e) => e.severity === 'error');
  const frozen = problems.some((e) => e.code === 'frozen');
  const shapes = compiled.shapes[id];
  const batch = compiled.data?.batchSize;
  const count = compiled.paramCounts[id];
  // A node sharing another's weights runs with that node's parameters: show those, not its own stale copy.
  // Looked up only for a node that shares: every node's selector runs on every store change, and the lookup scans the document.
  const shownParams = useEditor((s) => (node.sharesWeightsWith ? sharedOwner(s.doc, id)?.params : undefined)) ?? node.params;
  const wired = useEditor((s) => wiredPorts(s.doc.edges, id));
  // The hidden ends of a shared-weights link, only on the nodes such a link joins: every handle costs the canvas per frame.
  const sharesWeights = useEditor((s) => !!node.sharesWeightsWith || weightOwners(s.doc.nodes).has(id));
  // A block whose layers were edited runs its own layer list: its parameters no longer describe it.
  const ownLayers = useEditor((s) => (def?.kind === 'block' ? (definitionOf(s.doc, node)?.nodes.length ?? null) : null));
  const active = def && activePortsOf(def, shownParams);
  // The ports these parameters give the node, plus any an edge still uses after a parameter change: that edge needs a handle to be drawn, selected and deleted.
  const rows = (ports: PortSide, side: 'in' | 'out') =>
    Object.entries(def?.[ports] ?? {})
      .map(([port, decl]) => ({ port, decl, inactive: !active?.[ports].includes(port) }))
      .filter((r) => !r.inactive || wired.includes(` ${side}:${r.port} `));
  // Zoomed far out nothing is wired by hand: only the ports edges end at need a handle.
  const wiredRows = (ports: PortSide, side: 'in' | 'out') => rows(ports, side).filter((r) => wired.includes(` ${side}:${r.port} `));
  // The open comparison of runs changed or added this node.
  const diffChanged = useHistoryStore((s) => s.highlight.includes(id));
  const far = useContext(FarZoom);
  const className = [
    'graph-node',
    selected && 'selected',
    errors.length && 'has-errors',
    trained && 'trained',
    frozen && 'frozen',
    diffChanged && 'diff-changed',
    far && 'far',
  ]
    .filter(Boolean)
    .join(' ');

  const title = node.label || def?.title || node.type;
  return (
    <div
      className={className}
      data-testid={`node-${id}`}
      data-type={node.type}
      style={{ ['--cat' as string]: categoryColor(def?.category) }}
    >
      {sharesWeights && (
        <>
          <Handle type="target" id={SHARE_IN} position={Position.Top} isConnectable={false} className="share-handle" />
          <Handle type="source" id={SHARE_OUT} position={Position.Top} isConnectable={false} className="share-handle" />
        </>
      )}
      <header className="graph-node-head">
        <span className="graph-node-title" title={title}>
          {title}
        </span>
        {!far && node.label && def && <span className="graph-node-type">{def.title}</span>}
      </header>
      {far ? (
        <>
          {errors.length > 0 && <span className="far-errors">{errors.length} ⚠</span>}
          {wiredRows('inputs', 'in').map((r) => (
            <Handle key={`in-${r.port}`} type="target" id={r.port} position={Position.Left} className="far-handle" />
          ))}
          {wiredRows('outputs', 'out').map((r) => (
            <Handle key={`out-${r.port}`} type="source" id={r.port} position={Position.Right} className="far-handle" />
          ))}
        </>
      ) : (
        <>
          <NodeEquation nodeId={id} />
          {def ? (
            <>
              <div className="graph-node-ports">
                <div className="ports-in">
                  {rows('inputs', 'in').map((r) => (
                    <PortRow key={r.port} nodeId={id} {...r} side="in" shape={shapes?.inputs[r.port]} batch={batch} />
                  ))}
                </div>
                <div className="ports-out">
                  {rows('outputs', 'out').map((r) => (
                    <PortRow key={r.port} nodeId={id} {...r} side="out" shape={shapes?.outputs[r.port]} batch={batch} />
                  ))}
                </div>
              </div>
              {ownLayers !== null ? (
                <dl className="graph-node-params">
                  <div>
                    <dt>layers</dt>
                    <dd data-testid={`own-layers-${id}`}>{ownLayers}, edited</dd>
                  </div>
                </dl>
              ) : (
                (def.keyParams?.length ?? 0) > 0 && (
                  <dl className="graph-node-params">
                    {def.keyParams!.map((name) => (
                      <div key={name}>
                        <dt>{name}</dt>
                        <dd>{formatParamValue(shownParams[name] ?? def.params[name]?.default)}</dd>
                      </div>
                    ))}
                  </dl>
                )
              )}
              <footer className="graph-node-foot">
                {count !== undefined && count > 0 && <span data-testid={`param-count-${id}`}>{formatCount(count)} params</span>}
                {frozen && (
                  <span className="badge frozen-badge" title="No optimizer trains this network">
                    frozen
                  </span>
                )}
                {trained && <span className="badge trained-badge">trained</span>}
                {node.sharesWeightsWith && (
                  <span className="badge" title={`uses the weights of ${node.sharesWeightsWith}`}>
                    shares {node.sharesWeightsWith}
                  </span>
                )}
                {def.kind === 'block' && (
                  <button
                    className="link-button nodrag"
                    data-testid={`open-block-${id}`}
                    onClick={() => editorStore.getState().openBlock(id)}
                  >
                    layers ▸
                  </button>
                )}
              </footer>
            </>
          ) : null}
          {errors.length > 0 && (
            // Red mixed towards the text colour: the plain danger red on its soft tint misses 4.5:1 contrast.
            <ul
              className="graph-node-errors"
              data-testid={`node-errors-${id}`}
              style={{ color: 'color-mix(in srgb, var(--danger) 75%, var(--text))' }}
            >
              {errors.slice(0, 2).map((e, i) => (
                <li key={i}>
                  <span className="graph-node-error-message">
                    {e.port ? `${e.port}: ` : ''}
                    {e.message}
                  </span>
                  {e.hint && (
                    <span
                      className="graph-node-error-hint"
                      data-testid={`node-hint-${id}`}
                      style={{ display: 'block', color: 'var(--text)' }}
                    >
                      {e.hint}
                    </span>
                  )}
                  {e.fix && <FixButton fix={e.fix} testId={`node-fix-${id}`} />}
                </li>
              ))}
              {errors.length > 2 && <li>…and {errors.length - 2} more (see Problems)</li>}
            </ul>
          )}
        </>
      )}
    </div>
  );
}

function PortRow({
  nodeId,
  port,
  decl,
  side,
  shape,
  batch,
  inactive,
}: {
  nodeId: string;
  port: string;
  decl: PortDecl;
  side: 'in' | 'out';
  shape?: Shape;
  batch?: number;
  /** Not a port with these parameters; drawn only for the edge still on it, and nothing new connects to it. */
  inactive: boolean;
}) {
  const kind = portKind(decl);
  const title = inactive
    ? `${port}: not a port with these parameters — delete its edge or change the parameters back`
    : `${port} (${KIND_NAME[kind]}${decl.optional ? ', optional' : ''}): ${decl.doc}${shape ? ` — ${formatShape(shape, batch)}` : ''}`;
  return (
    <div
      className={`port port-${side}${inactive ? ' port-inactive' : ''}`}
      title={title}
      style={inactive ? { color: 'var(--danger)', textDecoration: 'line-through' } : undefined}
    >
      <Handle
        type={side === 'in' ? 'target' : 'source'}
        position={side === 'in' ? Position.Left : Position.Right}
        id={port}
        isConnectable={!inactive}
        className={`port-handle port-${decl.type} port-kind-${kind}`}
        // The glyph is the handle's look: no disc, border or rounding of React Flow's own.
        style={{ background: 'transparent', border: 'none', borderRadius: 0, width: 12, height: 12 }}
        data-testid={`handle-${nodeId}-${side}-${port}`}
        data-kind={kind}
      >
        <PortGlyph kind={kind} color={inactive ? 'var(--danger)' : undefined} />
      </Handle>
      <span className="port-name">
        {port}
        {decl.optional ? '?' : ''}
      </span>
    </div>
  );
}

/** What a screen reader says for a node: its label, its type and the shapes on its ports, e.g. "Encoder hidden, Dense: in x 128×784; out y 128×512". */
export function nodeAccessibleName(node: DocNode, def: AnyNodeDef | undefined, compiled: CompileResult): string {
  const title = def?.title ?? node.type;
  const head = node.label && node.label !== title ? `${node.label}, ${title}` : title;
  const shapes = compiled.shapes[node.id];
  const batch = compiled.data?.batchSize;
  const side = (word: string, ports: string[], of: Record<string, Shape> | undefined) =>
    ports.length ? `${word} ${ports.map((p) => (of?.[p] ? `${p} ${formatShape(of[p], batch)}` : p)).join(', ')}` : '';
  const active = def ? activePortsOf(def, node.params) : { inputs: [], outputs: [] };
  const ports = [side('in', active.inputs, shapes?.inputs), side('out', active.outputs, shapes?.outputs)].filter(Boolean);
  const errors = compiled.errors.filter((e) => e.nodeId === node.id && e.severity === 'error').length;
  return [`${head}${ports.length ? `: ${ports.join('; ')}` : ''}`, errors ? `${errors} problem${errors > 1 ? 's' : ''}` : '']
    .filter(Boolean)
    .join('. ');
}

/** The canvas's nodes, each with its accessible name. */
export function withNodeNames(nodes: GraphFlowNode[], registry: Record<string, AnyNodeDef>, compiled: CompileResult): GraphFlowNode[] {
  return nodes.map((n) => {
    // The same view node under the same compile keeps its named copy, so a drag frame renames only what moved.
    const last = namedNode.get(n);
    if (last?.compiled === compiled && last.registry === registry) return last.named;
    const named = { ...n, ariaLabel: nodeAccessibleName(n.data.node, registry[n.data.node.type], compiled) };
    namedNode.set(n, { compiled, registry, named });
    return named;
  });
}
const namedNode = new WeakMap<GraphFlowNode, { compiled: CompileResult; registry: Record<string, AnyNodeDef>; named: GraphFlowNode }>();

/** The ports edges use on this node as " in:x out:mean " (a string, so the store selector's result compares by value). */
function wiredPorts(edges: readonly GraphEdge[], nodeId: string): string {
  // Every node's selector runs on every store change (a drag frame too): index the edges once per edge list.
  let byNode = wiredByEdges.get(edges);
  if (!byNode) {
    const ends = new Map<string, string[]>();
    const add = (id: string, end: string) => (ends.get(id) ?? ends.set(id, []).get(id)!).push(end);
    for (const e of edges) {
      add(e.target, `in:${e.targetPort}`);
      add(e.source, `out:${e.sourcePort}`);
    }
    byNode = new Map([...ends].map(([id, list]) => [id, ` ${list.join(' ')} `]));
    wiredByEdges.set(edges, byNode);
  }
  return byNode.get(nodeId) ?? '  ';
}
const wiredByEdges = new WeakMap<readonly GraphEdge[], Map<string, string>>();

/** The ids of nodes whose weights another node uses, indexed once per node list (as wiredPorts, for every node's selector). */
function weightOwners(nodes: readonly DocNode[]): Set<string> {
  let owners = ownersByNodes.get(nodes);
  if (!owners) {
    owners = new Set(nodes.flatMap((n) => (n.sharesWeightsWith ? [n.sharesWeightsWith] : [])));
    ownersByNodes.set(nodes, owners);
  }
  return owners;
}
const ownersByNodes = new WeakMap<readonly DocNode[], Set<string>>();

export const GraphNode = memo(GraphNodeView);
