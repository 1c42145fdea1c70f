/**
 * A node's equation in explain mode: compact on the node itself (shrunk to
 * the node's width), large with its caption in the inspector. Hovering a
 * symbol that names a port highlights that port and its edges on the canvas.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, type MouseEvent } from 'react';
import 'katex/dist/katex.min.css';
import './explain.css';
import type { EquationGrid } from '../../graph/nodeApi';
import { resolveParams } from '../../graph/params';
import { editorStore, useEditor } from '../../store';
import { sharedOwner } from '../../store/docOps';
import { equationContext } from './equationContext';
import { useExplain } from './explainStore';
import { highlightPort } from './portHighlight';
import { PORT_ATTRIBUTE, renderTex, resolveEquation, type ResolvedEquation } from './renderEquation';

/** The equation for the node's current parameters and wiring; null when it has none. */
function useNodeEquation(nodeId: string): ResolvedEquation | null {
  const doc = useEditor((s) => s.doc);
  const registry = useEditor((s) => s.registry);
  return useMemo(() => {
    const node = doc.nodes.find((n) => n.id === nodeId);
    const def = node && registry[node.type];
    if (!node || !def?.equation) return null;
    // A node sharing another's weights runs with that node's parameters.
    const params = resolveParams(def.params, sharedOwner(doc, nodeId)?.params ?? node.params).values;
    return resolveEquation(def, params, equationContext(doc, registry, nodeId));
  }, [doc, registry, nodeId]);
}

/**
 * Rendered TeX. Only TeX from node files reaches KaTeX (never document text),
 * and KaTeX escapes everything it outputs, so its HTML is safe to insert.
 */
function Tex({ tex, display, nodeId, fontPx }: { tex: string; display: boolean; nodeId: string; fontPx: number }) {
  const html = useMemo(() => renderTex(tex, display), [tex, display]);
  const box = useRef<HTMLSpanElement>(null);
  const hot = useRef<{ port: string; undo(): void } | null>(null);
  const clear = () => {
    hot.current?.undo();
    hot.current = null;
  };
  useEffect(() => clear, []);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    fitFont(el, fontPx);
    // KaTeX's fonts may arrive after the first layout, which changes the width.
    let live = true;
    void document.fonts.ready.then(() => live && fitFont(el, fontPx));
    return () => {
      live = false;
    };
  }, [html, fontPx]);

  const onMouseOver = (e: MouseEvent) => {
    const port = (e.target as Element).closest(`[${PORT_ATTRIBUTE}]`)?.getAttribute(PORT_ATTRIBUTE) ?? null;
    if (port === (hot.current?.port ?? null)) return;
    clear();
    if (port) hot.current = { port, undo: highlightPort(editorStore.getState().doc, nodeId, port) };
  };
  return (
    <span
      ref={box}
      className={display ? 'equation-tex equation-display' : 'equation-tex'}
      onMouseOver={onMouseOver}
      onMouseLeave={clear}
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}

/** An equation may shrink to this, no further, to fit its box. */
const MIN_FONT_PX = 8;

/** Shrinks the font until the rendered TeX fits its container's width (layout pixels, whatever the zoom). */
function fitFont(el: HTMLElement, fontPx: number) {
  el.style.fontSize = `${fontPx}px`;
  const parent = el.parentElement;
  const padding = parent ? parseFloat(getComputedStyle(parent).paddingLeft) + parseFloat(getComputedStyle(parent).paddingRight) : 0;
  const available = (parent?.clientWidth ?? 0) - padding;
  const natural = el.scrollWidth;
  if (available > 0 && natural > available) el.style.fontSize = `${Math.max(MIN_FONT_PX, (fontPx * available) / natural).toFixed(2)}px`;
}

/** The positions a k×k window reads, as a grid of cells: filled = read, outlined = the output's own position. */
function ReadGrid({ grid, large }: { grid: EquationGrid; large?: boolean }) {
  const reads = grid.reads.filter(Boolean).length;
  return (
    <div
      className={large ? 'equation-grid large' : 'equation-grid'}
      role="img"
      aria-label={`${grid.size}×${grid.size} window: reads ${reads} of ${grid.size * grid.size} positions${grid.reads[grid.at] ? ', its own included' : ', not its own'}`}
      // About 8 px a cell on a node and 20 px in the inspector, so a 3×3 and a 7×7 mask look alike.
      style={{
        gridTemplateColumns: `repeat(${grid.size}, 1fr)`,
        width: large ? Math.min(200, grid.size * 20) : Math.min(80, grid.size * 8),
      }}
    >
      {grid.reads.map((read, i) => (
        <span key={i} className={`cell${read ? ' read' : ''}${i === grid.at ? ' own' : ''}`} />
      ))}
    </div>
  );
}

/** Under a node's header on the canvas, while explain mode is on (off, it reads nothing from the document). */
export function NodeEquation({ nodeId }: { nodeId: string }) {
  const on = useExplain((s) => s.on);
  return on ? <CanvasEquation nodeId={nodeId} /> : null;
}

function CanvasEquation({ nodeId }: { nodeId: string }) {
  const equation = useNodeEquation(nodeId);
  if (!equation) return null;
  return (
    <div className="node-equation" data-testid={`equation-${nodeId}`}>
      <Tex tex={equation.compact} display={false} nodeId={nodeId} fontPx={12} />
      {equation.grid && <ReadGrid grid={equation.grid} />}
    </div>
  );
}

/** The inspector's large form with its caption, while explain mode is on. */
export function InspectorEquation({ nodeId }: { nodeId: string }) {
  const on = useExplain((s) => s.on);
  return on ? <LargeEquation nodeId={nodeId} /> : null;
}

function LargeEquation({ nodeId }: { nodeId: string }) {
  const equation = useNodeEquation(nodeId);
  if (!equation) return null;
  return (
    <div className="inspector-equation" data-testid="inspector-equation">
      <h3>Equation</h3>
      <Tex tex={equation.tex} display nodeId={nodeId} fontPx={15} />
      {equation.grid && <ReadGrid grid={equation.grid} large />}
      {equation.caption && <p className="doc-text">{equation.caption}</p>}
      <p className="muted small">Point at a coloured symbol to see the port that carries it.</p>
    </div>
  );
}
