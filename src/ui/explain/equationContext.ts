/** What a node's equation is told about its surroundings: which inputs are wired, and what the loss term on each measures. */
import type { GraphDocument } from '../../graph/document';
import type { AnyNodeDef, EquationContext, LossMeasure } from '../../graph/nodeApi';
import { resolveParams } from '../../graph/params';

export function equationContext(doc: GraphDocument, registry: Record<string, AnyNodeDef>, nodeId: string): EquationContext {
  const wired: Record<string, LossMeasure> = {};
  for (const edge of doc.edges) {
    if (edge.target !== nodeId) continue;
    const source = doc.nodes.find((n) => n.id === edge.source);
    const def = source && registry[source.type];
    const loss = def?.loss;
    wired[edge.targetPort] =
      def && loss && loss.output === edge.sourcePort ? (loss.measures?.(resolveParams(def.params, source.params).values) ?? null) : null;
  }
  return { wired };
}
