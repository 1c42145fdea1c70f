/**
 * The graph canvas. React Flow draws a view of the document; every user
 * gesture becomes one store action, so each is one undo step. Drags update a
 * transient overlay and are committed once, when the node is dropped.
 */
import { useCallback, useEffect, useMemo, useRef, type DragEvent } from 'react';
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  SelectionMode,
  useReactFlow,
  useStore,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type IsValidConnection,
  type OnConnectEnd,
} from '@xyflow/react';
import { checkConnection, type XY } from '../../store/docOps';
import { connectRefusal } from '../../store/exercise';
import { ExercisePanel } from '../exercise/ExercisePanel';
import { editorStore, useCompiled, useDragPositions, useEditor } from '../../store';
import { categoryColor } from '../look';
import { ConnectionLine, refusalReason } from './ConnectionLine';
import { FarZoom, zoomedFar } from './farZoom';
import { boundsOf, readableViewport, type Rect } from './framing';
import { GraphNode, withNodeNames } from './GraphNode';
import { GRID } from './placement';
import { ShapeEdge, withEdgeNames } from './ShapeEdge';
import { SharedWeightsEdge } from './SharedWeightsEdge';
import { CanvasNotes } from './StickyNote';
import { NODE_DRAG_TYPE, useAddNode } from './useAddNode';
import { toFlowEdges, toFlowNodes, type GraphFlowNode } from './viewModel';

const nodeTypes = { graph: GraphNode };
const edgeTypes = { shape: ShapeEdge, shared: SharedWeightsEdge };
// Props React Flow compares by reference: a new array or object each render (every drag frame) would be one more
// store update for every node, edge and handle to check (snapGrid), or redraw every minimap node (style, nodeColor).
const SNAP_GRID: [number, number] = [GRID, GRID];
const MULTI_SELECTION_KEYS = ['Shift', 'Meta', 'Control'];
const MINIMAP_STYLE = { width: 160, height: 110 };

export function Canvas() {
  const doc = useEditor((s) => s.doc);
  const registry = useEditor((s) => s.registry);
  const selectedNodeIds = useEditor((s) => s.selectedNodeIds);
  const selectedEdgeIds = useEditor((s) => s.selectedEdgeIds);
  const dragPositions = useDragPositions();
  const dockMaximized = useEditor((s) => s.dock.open && s.dock.maximized);
  const measured = useEditor((s) => s.measured);
  const theme = useEditor((s) => s.theme);
  const frameRequest = useEditor((s) => s.frameRequest);
  const compiled = useCompiled();
  const flow = useReactFlow<GraphFlowNode>();
  const far = useStore(zoomedFar);
  const addNode = useAddNode();
  const paneRef = useRef<HTMLDivElement>(null);

  const view = { selectedNodeIds, selectedEdgeIds, dragPositions, measured };
  const nodes = useMemo(() => toFlowNodes(doc, compiled, view), [doc, compiled, selectedNodeIds, dragPositions, measured]); // eslint-disable-line react-hooks/exhaustive-deps -- `view` is a new object every render; these are the fields of it that toFlowNodes reads
  const portTypeOf = useCallback((type: string, port: string) => registry[type]?.outputs[port]?.type, [registry]);
  const edges = useMemo(() => toFlowEdges(doc, compiled, view, portTypeOf), [doc, compiled, selectedEdgeIds, portTypeOf]); // eslint-disable-line react-hooks/exhaustive-deps -- toFlowEdges reads only selectedEdgeIds from `view`, so a drag frame does not rebuild every edge
  const namedNodes = useMemo(() => withNodeNames(nodes, registry, compiled), [nodes, registry, compiled]);
  const namedEdges = useMemo(() => withEdgeNames(edges, doc, registry), [edges, doc, registry]);
  const minimapColor = useCallback((n: GraphFlowNode) => categoryColor(registry[n.data.node.type]?.category), [registry]);

  useEffect(() => {
    if (!frameRequest) return;
    let raf = 0;
    if (frameRequest.readable) {
      // A graph just opened: wait until React Flow has measured every node, then frame it readably.
      const wanted = new Set(frameRequest.nodeIds ?? editorStore.getState().doc.nodes.map((n) => n.id));
      let tries = 0;
      const attempt = () => {
        const pane = paneRef.current;
        const measured = [...wanted].map((id) => flow.getInternalNode(id)).filter((n) => !!n && !!n.measured.width && !!n.measured.height);
        if ((!flow.viewportInitialized || !pane || measured.length < wanted.size) && ++tries < 120) {
          raf = requestAnimationFrame(attempt);
          return;
        }
        const rects: (Rect & { type: string })[] = measured.map((n) => ({
          type: n!.data.node.type,
          ...n!.internals.positionAbsolute,
          width: n!.measured.width!,
          height: n!.measured.height!,
        }));
        const bounds = boundsOf(rects);
        if (!bounds || !pane) return;
        // The data side: the data sources, else the leftmost column.
        const data = rects.filter((r) => registry[r.type]?.category === 'data');
        const anchor = boundsOf(data.length ? data : rects.filter((r) => r.x <= bounds.x + 100));
        void flow.setViewport(
          readableViewport(bounds, anchor, { width: pane.clientWidth, height: pane.clientHeight }),
          frameRequest.nodeIds ? { duration: 300 } : undefined,
        );
      };
      raf = requestAnimationFrame(attempt);
      return () => cancelAnimationFrame(raf);
    }
    // Wait a frame so nodes added or loaded in the same tick are measured first.
    raf = requestAnimationFrame(() => {
      if (frameRequest.nodeId) void flow.fitView({ nodes: [{ id: frameRequest.nodeId }], duration: 300, maxZoom: 1.2, padding: 0.6 });
      else void flow.fitView({ duration: 300, padding: 0.1, maxZoom: 1.2 });
    });
    return () => cancelAnimationFrame(raf);
  }, [frameRequest, flow, registry]);

  const onNodesChange = useCallback((changes: NodeChange<GraphFlowNode>[]) => {
    const s = editorStore.getState();
    let selection: Set<string> | null = null;
    let drag: Record<string, XY> | null = null;
    let sizes: typeof s.measured | null = null;
    // A move that is not part of a drag (arrow keys, the end of a drag) is a document edit now: one undo step.
    let settled: Record<string, XY> | null = null;
    for (const c of changes) {
      if (c.type === 'select') {
        selection ??= new Set(s.selectedNodeIds);
        if (c.selected) selection.add(c.id);
        else selection.delete(c.id);
      } else if (c.type === 'position' && c.position) {
        drag ??= { ...editorStore.drag.getState().positions };
        if (c.dragging) drag[c.id] = c.position;
        else {
          delete drag[c.id];
          (settled ??= {})[c.id] = c.position;
        }
      } else if (c.type === 'dimensions' && c.dimensions) {
        sizes ??= { ...s.measured };
        sizes[c.id] = c.dimensions;
      }
    }
    if (selection) s.select([...selection], s.selectedEdgeIds);
    if (drag) s.setDragPositions(drag);
    if (settled) s.moveNodes(settled);
    if (sizes) s.setMeasured(sizes);
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    const s = editorStore.getState();
    const selection = new Set(s.selectedEdgeIds);
    let touched = false;
    for (const c of changes) {
      if (c.type !== 'select') continue;
      touched = true;
      if (c.selected) selection.add(c.id);
      else selection.delete(c.id);
    }
    if (touched) s.select(s.selectedNodeIds, [...selection]);
  }, []);

  const onNodeDragStop = useCallback(() => {
    const s = editorStore.getState();
    const moved = editorStore.drag.getState().positions;
    s.setDragPositions({});
    s.moveNodes(moved);
  }, []);

  const isValidConnection: IsValidConnection = useCallback((c) => {
    const { doc, registry, exerciseRole } = editorStore.getState();
    const conn = { source: c.source, sourcePort: c.sourceHandle ?? '', target: c.target, targetPort: c.targetHandle ?? '' };
    // A learner's drag that would rewire a locked node shows as refused before the drop.
    if (exerciseRole === 'learner' && connectRefusal(doc, registry, conn)) return false;
    return checkConnection(doc, registry, conn).ok;
  }, []);

  const onConnect = useCallback((c: Connection) => {
    editorStore
      .getState()
      .connect({ source: c.source, sourcePort: c.sourceHandle ?? '', target: c.target, targetPort: c.targetHandle ?? '' });
  }, []);

  // A refused drop would otherwise do nothing at all: say why, in the words the cursor showed.
  const onConnectEnd: OnConnectEnd = useCallback((_event, state) => {
    const reason = state.isValid === false ? refusalReason(state.fromHandle, state.toHandle) : null;
    if (reason) editorStore.getState().notify('warn', `Not connected: ${reason}`);
  }, []);

  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(NODE_DRAG_TYPE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }, []);
  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(NODE_DRAG_TYPE);
      if (!type) return;
      e.preventDefault();
      addNode(type, { x: e.clientX, y: e.clientY });
    },
    [addNode],
  );

  return (
    <div className="canvas" data-testid="canvas" ref={paneRef} onDragOver={onDragOver} onDrop={onDrop}>
      <FarZoom.Provider value={far}>
        <ReactFlow
          nodes={namedNodes}
          edges={namedEdges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onNodeDragStop={onNodeDragStop}
          onConnect={onConnect}
          onConnectEnd={onConnectEnd}
          isValidConnection={isValidConnection}
          connectionLineComponent={ConnectionLine}
          colorMode={theme}
          snapToGrid
          snapGrid={SNAP_GRID}
          // No fitView here: an opened graph is framed at a readable zoom by the frame request above.
          minZoom={0.1}
          maxZoom={2.5}
          // Deleting goes through the store's own shortcut so nodes and edges go in one undo step.
          deleteKeyCode={null}
          selectionKeyCode="Shift"
          multiSelectionKeyCode={MULTI_SELECTION_KEYS}
          selectionMode={SelectionMode.Partial}
          connectionRadius={24}
        >
          <Background variant={BackgroundVariant.Dots} gap={GRID} size={1.2} />
          <MiniMap
            pannable
            zoomable
            style={MINIMAP_STYLE}
            maskColor="color-mix(in srgb, var(--bg) 70%, transparent)"
            nodeColor={minimapColor}
            nodeStrokeWidth={2}
          />
          <Controls showInteractive={false} />
          <CanvasNotes />
        </ReactFlow>
      </FarZoom.Provider>
      {/* Floating over the canvas, it would cover the dock's own controls when the dock takes the whole height. */}
      {!dockMaximized && <ExercisePanel />}
    </div>
  );
}
