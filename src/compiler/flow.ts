/**
 * Normalizing flows: the chain of invertible layers from the data to the flow
 * prior, found from the nodes' capabilities. Its log-determinants are summed
 * for the flow loss here, once, so a learner wires only the data path and the
 * runtime never looks for flow layers by type.
 */
import { FLOW_LOG_DET_INPUT } from '../graph/nodeApi';
import type { GraphError } from './errors';
import type { CompiledNode, FlowPlan, PortRef } from './plan';

type FlowError = Omit<GraphError, 'severity'> & { severity?: GraphError['severity'] };

/**
 * Finds the flow (if the graph has a flow prior), checks that every layer
 * between the data and the prior is a flow layer, and gives each flow loss one
 * input per layer of the chain, its log-determinant. `flat` is in data-flow
 * order and is changed in place (the losses' inputs).
 */
export function linkFlow(
  flat: CompiledNode[],
  byId: Record<string, CompiledNode>,
  datasetNode: string,
): { flow: FlowPlan | null; errors: FlowError[] } {
  const errors: FlowError[] = [];
  const priors = flat.filter((n) => n.def.flowPrior);
  if (priors.length === 0) return { flow: null, errors };
  for (const extra of priors.slice(1))
    errors.push({
      code: 'flow',
      nodeId: extra.docId,
      message: 'a flow has one prior; this is a second Flow prior',
      hint: `delete it and end the chain of flow layers in ${priors[0].docId}`,
    });
  const prior = priors[0];
  const z = prior.inputs[prior.def.flowPrior!.input];
  if (!z) return { flow: null, errors }; // the missing input is reported where inputs are checked
  const chain: string[] = [];
  let at: PortRef = z;
  for (;;) {
    const n = byId[at.node];
    const cap = n?.def.flow;
    if (!cap) break;
    if (at.port !== cap.output) {
      errors.push({
        code: 'flow',
        nodeId: n.docId,
        port: at.port,
        message: `the chain of flow layers goes on from its ${at.port}, not from its output ${cap.output}`,
        hint: `connect ${cap.output} to the next flow layer (the compiler sums the log-determinants itself)`,
      });
      return { flow: null, errors };
    }
    chain.unshift(n.id);
    const input = n.inputs[cap.input];
    if (!input) return { flow: null, errors };
    at = input;
  }
  if (at.node !== datasetNode) {
    const n = byId[at.node];
    errors.push({
      code: 'flow',
      nodeId: n?.docId,
      message: `the flow's chain reaches ${n ? `this ${n.def.title}` : at.node}, which is not invertible: a flow's likelihood needs every layer between the Dataset and the Flow prior to be a flow layer`,
      hint: 'wire the Dataset into the first flow layer, or use flow layers (Affine coupling, ActNorm, Invertible 1×1 conv, …) in between',
    });
    return { flow: null, errors };
  }
  const inChain = new Set(chain);
  for (const n of flat)
    if (n.def.flow && !inChain.has(n.id))
      errors.push({
        code: 'flow',
        nodeId: n.docId,
        severity: 'warning',
        message: 'this flow layer is not on the path from the Dataset to the Flow prior, so its log-determinant is not counted',
        hint: 'put it in the chain, or use an ordinary layer here',
      });
  const priorOut: PortRef = { node: prior.id, port: prior.def.flowPrior!.logProb };
  const losses: string[] = [];
  for (const n of flat) {
    const cap = n.def.flowLoss;
    if (!cap) continue;
    const logProb = n.inputs[cap.logProb];
    if (!logProb) continue;
    if (logProb.node !== priorOut.node || logProb.port !== priorOut.port) {
      errors.push({
        code: 'flow',
        nodeId: n.docId,
        port: cap.logProb,
        message: "a flow loss reads the Flow prior's log p(z)",
        hint: `connect ${prior.docId}.${priorOut.port} here`,
      });
      continue;
    }
    chain.forEach((id, i) => {
      const logDet = { node: id, port: byId[id].def.flow!.logDet };
      n.inputs[`${FLOW_LOG_DET_INPUT}${i}`] = logDet;
      n.inputShapes[`${FLOW_LOG_DET_INPUT}${i}`] = byId[id].outputShapes[logDet.port];
    });
    losses.push(n.id);
  }
  const input = byId[chain[0]]?.inputs[byId[chain[0]].def.flow!.input] ?? z;
  const dequantized = chain.some((id) => byId[id].def.flow!.dequantizes);
  return { flow: { chain, prior: prior.id, input, z, losses, dequantized }, errors };
}
