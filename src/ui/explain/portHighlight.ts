/**
 * Hovering a symbol of an equation lights up the port that carries it and
 * the edges on that port. The canvas's elements are found by the attributes
 * React Flow gives them (handle: data-nodeid / data-handleid, edge: data-id),
 * compared as values, so no document id is ever put into a selector.
 */
import type { GraphDocument } from '../../graph/document';

export const HOT_ATTRIBUTE = 'data-explain-hot';

/** Marks the port `port` of `nodeId` and its edges; returns what undoes it. */
export function highlightPort(doc: GraphDocument, nodeId: string, port: string): () => void {
  const hot: Element[] = [];
  for (const handle of document.querySelectorAll<HTMLElement>('.react-flow__handle'))
    if (handle.dataset.nodeid === nodeId && handle.dataset.handleid === port) hot.push(handle.closest('.port') ?? handle);
  const edgeIds = new Set(
    doc.edges
      .filter((e) => (e.target === nodeId && e.targetPort === port) || (e.source === nodeId && e.sourcePort === port))
      .map((e) => e.id),
  );
  for (const edge of document.querySelectorAll<SVGElement>('.react-flow__edge')) if (edgeIds.has(edge.dataset.id ?? '')) hot.push(edge);
  for (const label of document.querySelectorAll<HTMLElement>('.edge-label'))
    if (edgeIds.has((label.dataset.testid ?? '').replace(/^edge-label-/, ''))) hot.push(label);
  for (const el of hot) el.setAttribute(HOT_ATTRIBUTE, '');
  return () => {
    for (const el of hot) el.removeAttribute(HOT_ATTRIBUTE);
  };
}
