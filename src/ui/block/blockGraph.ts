/**
 * A block's layers as a graph to draw, top to bottom as a layer stack is
 * usually drawn: its inputs in the first row, each layer one row below the
 * furthest thing it reads (a branch side by side), its outputs in the last
 * row, and an edge for every read labelled with the shape it carries.
 * Built from the same rows the layer list shows (src/ui/overlays/blockLayers.ts),
 * so the canvas and the list are one structure drawn two ways.
 */
import type { Edge, Node } from '@xyflow/react';
import { formatShape, type Shape } from '../../graph/shape';
import { formatParamValue } from '../format';
import type { LayerRow } from '../overlays/blockLayers';

export type BlockNodeData = {
  role: 'input' | 'output' | 'layer';
  title: string;
  /** The layer id, or the port's name. */
  detail: string;
  /** Layer parameters, as the list shows them. */
  params?: string;
  /** The output shape, or what stops the layer from working. */
  shape?: string;
  problem?: string;
  index?: number;
};
export type BlockFlowNode = Node<BlockNodeData, 'blockPart'>;

export const inputNodeId = (port: string) => `in:${port}`;
export const outputNodeId = (port: string) => `out:${port}`;
const COLUMN = 240;
const ROW = 110;

/** "layer.port" or "block.port" → [node, port]; a port name holds no dot (an id may), so the last dot splits them. */
function split(ref: string): [string, string] {
  const dot = ref.lastIndexOf('.');
  return [ref.slice(0, dot), ref.slice(dot + 1)];
}

export function blockGraph(
  rows: LayerRow[],
  inputs: { port: string; name: string; shape?: Shape }[],
  outputs: { port: string; name: string; from: string }[],
  batch: number | undefined,
): { nodes: BlockFlowNode[]; edges: Edge[] } {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const inputShape = new Map(inputs.map((i) => [i.port, i.shape]));
  const shapeOf = (ref: string): Shape | undefined => {
    const [node, port] = split(ref);
    return node === 'block' ? inputShape.get(port) : byId.get(node)?.outputs[port];
  };
  const sourceId = (ref: string) => {
    const [node, port] = split(ref);
    return node === 'block' ? inputNodeId(port) : node;
  };
  const depth = new Map<string, number>();
  for (const r of rows)
    depth.set(r.id, 1 + Math.max(0, ...r.inputs.map((ref) => (split(ref)[0] === 'block' ? 0 : (depth.get(split(ref)[0]) ?? 0)))));
  const last = 1 + Math.max(0, ...depth.values());
  const filled: number[] = [];
  const place = (row: number) => {
    const slot = filled[row] ?? 0;
    filled[row] = slot + 1;
    return { x: slot * COLUMN, y: row * ROW };
  };

  const nodes: BlockFlowNode[] = [
    ...inputs.map((i) => ({
      id: inputNodeId(i.port),
      type: 'blockPart' as const,
      position: place(0),
      data: { role: 'input' as const, title: `Input ${i.name}`, detail: i.port, shape: i.shape && formatShape(i.shape, batch) },
      selectable: false,
    })),
    ...rows.map((r, i) => ({
      id: r.id,
      type: 'blockPart' as const,
      position: place(depth.get(r.id)!),
      data: {
        role: 'layer' as const,
        title: r.title,
        detail: r.id,
        index: i + 1,
        params:
          Object.entries(r.params)
            .map(([k, v]) => `${k} ${formatParamValue(v)}`)
            .join(' · ') || undefined,
        shape: Object.values(r.outputs)
          .map((s) => formatShape(s, batch))
          .join(', '),
        problem: r.problem,
      },
    })),
    ...outputs.map((o) => ({
      id: outputNodeId(o.port),
      type: 'blockPart' as const,
      position: place(last),
      data: { role: 'output' as const, title: `Output ${o.name}`, detail: o.port, shape: formatShape(shapeOf(o.from) ?? [], batch) },
      selectable: false,
    })),
  ];
  // A layer that cannot work with what it reads: the edges into it are where the shapes stop fitting.
  const broken = (id: string) => {
    const problem = byId.get(id)?.problem;
    return !!problem && problem !== 'waiting for its inputs';
  };
  const edge = (from: string, target: string): Edge => {
    const shape = shapeOf(from);
    return {
      id: `${from}->${target}`,
      source: sourceId(from),
      target,
      label: shape ? formatShape(shape, batch) : undefined,
      className: broken(target) ? 'block-edge-bad' : undefined,
      selectable: false,
    };
  };
  const edges = [
    ...rows.flatMap((r) => r.inputs.map((from) => edge(from, r.id))),
    ...outputs.filter((o) => byId.has(split(o.from)[0])).map((o) => edge(o.from, outputNodeId(o.port))),
  ];
  return { nodes, edges };
}
