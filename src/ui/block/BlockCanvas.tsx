/**
 * A block opened as its own canvas: its inputs, its layers in data-flow
 * order and its outputs, each edge labelled with the shape it carries and a
 * layer that cannot work drawn red with its problem. Click a layer to edit it
 * in the panel beside the canvas (parameters, move, delete, insert after);
 * Delete removes the selected layer. The nodes are the rows the layer list
 * shows and every edit is the same store action, one undo step each.
 */
import { memo, useEffect, useState } from 'react';
import {
  Background,
  BackgroundVariant,
  Controls,
  Handle,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type NodeProps,
} from '@xyflow/react';
import type { BlockDefinition } from '../../graph/document';
import type { Shape } from '../../graph/shape';
import { editorStore } from '../../store';
import type { LayerRow } from '../overlays/blockLayers';
import { blockGraph, type BlockFlowNode } from './blockGraph';
import { applied, InsertBar, LayerParamFields } from './LayerEditor';

interface Props {
  nodeId: string;
  rows: LayerRow[];
  batch?: number;
  definition?: BlockDefinition;
  inputs: string[];
  inputShapes: Record<string, Shape>;
  /** Block output port → "layer.port" behind it. */
  outputs: Record<string, string>;
}

const nodeTypes = { blockPart: memo(BlockPart) };
const FIT = { padding: 0.12, maxZoom: 1 };

export function BlockCanvas(props: Props) {
  return (
    <ReactFlowProvider>
      <BlockCanvasInner {...props} />
    </ReactFlowProvider>
  );
}

function BlockCanvasInner({ nodeId, rows, batch, definition, inputs, inputShapes, outputs }: Props) {
  const [selected, setSelected] = useState<string | null>(null);
  const name = (port: string) => definition?.portNames?.[port] || port;
  // A few dozen layers at most: rebuilt on each render, so it always shows the current rows.
  const graph = blockGraph(
    rows,
    inputs.map((port) => ({ port, name: name(port), shape: inputShapes[port] })),
    Object.entries(outputs).map(([port, from]) => ({ port, name: name(port), from })),
    batch,
  );
  const row = rows.find((r) => r.id === selected);
  const nodes = graph.nodes.map((n) => (n.id === row?.id ? { ...n, selected: true } : n));
  const flow = useReactFlow();
  // A layer added or taken out changes the stack's height: frame it again once React Flow has measured it.
  useEffect(() => {
    let raf = requestAnimationFrame(() => (raf = requestAnimationFrame(() => void flow.fitView(FIT))));
    return () => cancelAnimationFrame(raf);
  }, [flow, nodes.length]);
  const remove = (layerId: string) => {
    if (applied(editorStore.getState().removeBlockLayer(nodeId, layerId))) setSelected(null);
  };

  return (
    <div className="block-canvas" data-testid="block-canvas">
      <div
        className="block-canvas-pane"
        onKeyDown={(e) => {
          if ((e.key === 'Delete' || e.key === 'Backspace') && row && !(e.target as HTMLElement).closest('input, select, textarea')) {
            e.preventDefault();
            remove(row.id);
          }
        }}
      >
        <ReactFlow
          nodes={nodes}
          edges={graph.edges}
          nodeTypes={nodeTypes}
          onNodeClick={(_, n) => n.data.role === 'layer' && setSelected(n.id)}
          onPaneClick={() => setSelected(null)}
          nodesDraggable={false}
          nodesConnectable={false}
          deleteKeyCode={null}
          fitView
          fitViewOptions={FIT}
          minZoom={0.2}
          proOptions={{ hideAttribution: true }}
        >
          <Background variant={BackgroundVariant.Dots} gap={16} size={1} />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
      <aside className="block-canvas-side" aria-label="Selected layer" data-testid="block-canvas-side">
        {row ? (
          <>
            <h3>
              {rows.indexOf(row) + 1}. {row.title} <span className="muted mono">{row.id}</span>
            </h3>
            {row.problem && <p className="invalid-text small">{row.problem}</p>}
            <LayerParamFields nodeId={nodeId} row={row} />
            <div className="button-row">
              <button onClick={() => applied(editorStore.getState().moveBlockLayer(nodeId, row.id, -1))} disabled={rows[0] === row}>
                Move earlier
              </button>
              <button onClick={() => applied(editorStore.getState().moveBlockLayer(nodeId, row.id, 1))} disabled={rows.at(-1) === row}>
                Move later
              </button>
              <button className="danger" onClick={() => remove(row.id)} data-testid="block-canvas-delete">
                Delete layer
              </button>
            </div>
            <InsertBar key={row.id} nodeId={nodeId} rows={rows} inputs={inputs} after={row.id} onInserted={setSelected} />
          </>
        ) : (
          <>
            <p className="muted small">
              Click a layer to change its parameters, move it, delete it (Delete key) or insert a layer after it. Shapes and problems update
              as you edit.
            </p>
            <InsertBar nodeId={nodeId} rows={rows} inputs={inputs} onInserted={setSelected} />
          </>
        )}
      </aside>
    </div>
  );
}

function BlockPart({ id, data, selected }: NodeProps<BlockFlowNode>) {
  const { role } = data;
  const className = ['block-part', role, selected && 'selected', data.problem && 'has-errors'].filter(Boolean).join(' ');
  return (
    <div className={className} data-testid={`block-part-${id}`}>
      {role !== 'input' && <Handle type="target" position={Position.Top} isConnectable={false} />}
      <div className="block-part-head">
        {data.index !== undefined && <span className="layer-index">{data.index}</span>}
        <strong>{data.title}</strong>
        {role === 'layer' && <span className="muted mono small">{data.detail}</span>}
      </div>
      {data.params && <div className="block-part-params small">{data.params}</div>}
      {data.problem ? (
        <div className="block-part-problem small invalid-text">{data.problem}</div>
      ) : (
        data.shape && <div className="block-part-shape mono small">{data.shape}</div>
      )}
      {role !== 'output' && <Handle type="source" position={Position.Bottom} isConnectable={false} />}
    </div>
  );
}
