/**
 * Auto-layout with elkjs: layered, left to right by data flow, ports kept in
 * their declared order so edges do not cross needlessly. Returns positions
 * only; the caller commits them as one undoable move.
 */
import type { ElkNode } from 'elkjs/lib/elk-api';
import type { GraphDocument } from '../graph/document';
import type { Registry, XY } from './docOps';

/**
 * elkjs is 1.6 MB of JavaScript, most of the editor's code: load it on the first
 * layout instead of with the page, so opening a graph does not wait for it.
 */
let elk: Promise<{ layout(graph: ElkNode): Promise<ElkNode> }> | null = null;
const loadElk = () => (elk ??= import('elkjs/lib/elk.bundled.js').then(({ default: ELK }) => new ELK()));
const DEFAULT_SIZE = { width: 200, height: 110 };
/** Layouts snap to the editor grid so later hand moves line up. */
const GRID = 20;

export async function layoutPositions(
  doc: GraphDocument,
  registry: Registry,
  sizes: Record<string, { width: number; height: number }> = {},
): Promise<Record<string, XY>> {
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.spacing.nodeNode': '40',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.crossingMinimization.semiInteractive': 'true',
    },
    children: doc.nodes.map((n) => {
      const def = registry[n.type];
      const size = sizes[n.id] ?? DEFAULT_SIZE;
      const ports = [
        ...Object.keys(def?.inputs ?? {}).map((p, i) => ({
          id: `${n.id}\u0000in\u0000${p}`,
          layoutOptions: { 'elk.port.side': 'WEST', 'elk.port.index': String(i) },
        })),
        ...Object.keys(def?.outputs ?? {}).map((p, i) => ({
          id: `${n.id}\u0000out\u0000${p}`,
          layoutOptions: { 'elk.port.side': 'EAST', 'elk.port.index': String(i) },
        })),
      ];
      return { id: n.id, width: size.width, height: size.height, ports, layoutOptions: { 'elk.portConstraints': 'FIXED_ORDER' } };
    }),
    edges: doc.edges
      .filter(
        (e) =>
          registry[doc.nodes.find((n) => n.id === e.source)?.type ?? '']?.outputs[e.sourcePort] &&
          registry[doc.nodes.find((n) => n.id === e.target)?.type ?? '']?.inputs[e.targetPort],
      )
      .map((e) => ({
        id: e.id,
        sources: [`${e.source}\u0000out\u0000${e.sourcePort}`],
        targets: [`${e.target}\u0000in\u0000${e.targetPort}`],
      })),
  };
  const laid = await (await loadElk()).layout(graph);
  const snap = (v: number) => Math.round(v / GRID) * GRID;
  return Object.fromEntries((laid.children ?? []).map((c) => [c.id, { x: snap(c.x ?? 0), y: snap(c.y ?? 0) }]));
}
