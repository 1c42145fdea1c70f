/**
 * Every fact the runtime and the CLI read from a plan by a node's port name,
 * parameter name, role or category, gathered in one place. They are pure
 * functions of the plan; the compiler will derive them into the plan itself
 * (typed node capabilities, issue 9), and then this module shrinks to nothing.
 */
import type { CompiledNode, OptimizerPlan, Plan, PortRef } from '../compiler/plan';

/** The mean and log-variance feeding the first Gaussian sampler, if the graph has one. */
export function klRefs(plan: Plan): { mean: PortRef; logVar: PortRef } | null {
  const s = plan.nodes.find((n) => n.def.role === 'sampler' && n.inputs.mean && n.inputs.logVar);
  return s ? { mean: s.inputs.mean, logVar: s.inputs.logVar } : null;
}

/** What importance sampling reads: a Bernoulli decoder's logits and target, and the sampler's q(z|x) and draw z. */
export interface ImportanceRefs {
  logits: PortRef;
  target: PortRef;
  mean: PortRef;
  logVar: PortRef;
  z: PortRef;
}

/** The refs importance sampling needs, or null unless the graph has a sampler and a Bernoulli (logit) reconstruction loss. */
export function importanceRefs(plan: Plan): ImportanceRefs | null {
  const sampler = plan.nodes.find((n) => n.def.role === 'sampler');
  const recon = plan.nodes.find((n) => n.def.reconstruction);
  const r = recon?.def.reconstruction;
  if (!sampler || !recon || !r || r.transform(recon.params as never) !== 'sigmoid') return null;
  return {
    logits: recon.inputs[r.prediction],
    target: recon.inputs[r.target],
    mean: sampler.inputs.mean,
    logVar: sampler.inputs.logVar,
    z: { node: sampler.id, port: 'z' },
  };
}

/** A one-number-per-example output that reads the real data and no noise: the discriminator on real data. */
export function criticRef(plan: Plan): PortRef | null {
  const upstream = (id: string) => {
    const seen = new Set<string>();
    const stack = [id];
    while (stack.length) {
      const cur = stack.pop()!;
      if (seen.has(cur)) continue;
      seen.add(cur);
      for (const r of Object.values(plan.byId[cur]?.inputs ?? {})) stack.push(r.node);
    }
    return seen;
  };
  const drawsNoise = (id: string) => ['noise', 'sampler'].includes(plan.byId[id]?.def.role ?? '');
  let found: PortRef | null = null;
  for (const n of plan.nodes) {
    if (n.def.category === 'losses') continue;
    for (const [port, shape] of Object.entries(n.outputShapes)) {
      if (shape.length !== 2 || shape[1] !== 1) continue;
      const up = upstream(n.id);
      if (!up.has(plan.datasetNode) || [...up].some(drawsNoise)) continue;
      found = { node: n.id, port };
    }
  }
  return found;
}

/** The node whose prior draw latent vectors stand in for when decoding (a sampler or a noise source), if any. */
export function decodeSource(plan: Plan): CompiledNode | null {
  return plan.nodes.find((n) => n.def.role === 'sampler' || n.def.role === 'noise') ?? null;
}

/** Document nodes that have an output a preview can show. */
export function previewableNodes(plan: Plan): string[] {
  return [...new Set(plan.nodes.filter((n) => Object.keys(n.outputShapes).length > 0).map((n) => n.docId))];
}

/** The learning rate an optimizer starts with, as its document sets it. */
export function initialLearningRate(opt: OptimizerPlan): number {
  return Number(opt.params.learningRate ?? 1e-3);
}

/** The scalar output of a loss term node. */
export function lossOutput(termId: string): PortRef {
  return { node: termId, port: 'loss' };
}

/** The name of the data source the graph trains on (e.g. 'mnist'). */
export function dataSourceName(plan: Plan): string {
  return String(plan.byId[plan.datasetNode].params.source);
}

/** Equal for two plans exactly when they train on the same data in the same order. */
export function dataKey(plan: Plan): string {
  return JSON.stringify([plan.byId[plan.datasetNode].params, plan.seed]);
}
