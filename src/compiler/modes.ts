/**
 * What a valid graph can do beyond training, derived from its nodes'
 * capabilities: which output is a sample, a reconstruction, a latent code;
 * where the posterior and the critic are. The runtime reads these facts from
 * the plan and never looks at a node's ports or parameters by name.
 */
import type { GraphDocument } from '../graph/document';
import type { AnyNodeDef, DataInfo, DisplayTransform, Mode } from '../graph/nodeApi';
import { BATCH, exampleSize } from '../graph/shape';
import type { CompiledNode, DiffusionPlan, FlowPlan, ModePlan, OptimizerPlan, PixelCachePlan, PortRef, PosteriorRefs } from './plan';
import { inputsRead, upstreamOf } from './upstream';

/** The flat graph of a compiled document, as the compiler left it. */
export interface FlatGraph {
  doc: GraphDocument;
  registry: Record<string, AnyNodeDef>;
  flat: CompiledNode[];
  byId: Record<string, CompiledNode>;
  /** Document (node, output port) → the flat port that produces it, keyed by docPortKey. */
  docOutputs: Map<string, PortRef>;
  data: DataInfo;
  datasetNode: string;
}

export const docPortKey = (node: string, port: string) => `${node}\u0000${port}`;

export function sameRef(a: PortRef | undefined, b: PortRef | undefined): boolean {
  return !!a && !!b && a.node === b.node && a.port === b.port;
}

/** Draws from the prior when generating: a sampler or a noise source. */
function drawsFromPrior(n: CompiledNode | undefined): boolean {
  return !!(n?.def.sampler || n?.def.noise);
}

/** The output port of a sampler or noise node, which decoding replaces with given latent vectors. */
function priorOutput(n: CompiledNode): PortRef | null {
  const port = n.def.sampler?.output ?? n.def.noise?.output;
  return port ? { node: n.id, port } : null;
}

export function posteriorOf(g: FlatGraph): PosteriorRefs | null {
  for (const n of g.flat) {
    const cap = n.def.sampler;
    if (!cap || !n.inputs[cap.mean]) continue;
    return { z: { node: n.id, port: cap.output }, mean: n.inputs[cap.mean], logVar: (cap.logVar && n.inputs[cap.logVar]) || null };
  }
  return null;
}

/** The last one-number-per-example output (not a loss) that reads the real data and no prior draw. */
export function criticOf(g: FlatGraph): PortRef | null {
  let found: PortRef | null = null;
  for (const n of g.flat) {
    // A flow prior's log p(z) is one number per example too, but it is half of a likelihood, not a critic.
    if (n.def.loss || n.def.flowPrior) continue;
    for (const [port, shape] of Object.entries(n.outputShapes)) {
      if (shape.length !== 2 || shape[1] !== 1) continue;
      const up = upstreamOf(g.byId, [n.id]);
      if (!up.has(g.datasetNode) || [...up].some((u) => drawsFromPrior(g.byId[u]))) continue;
      found = { node: n.id, port };
    }
  }
  return found;
}

export function lossOutputsOf(optimizers: OptimizerPlan[], byId: Record<string, CompiledNode>): Record<string, PortRef> {
  const out: Record<string, PortRef> = {};
  for (const o of optimizers)
    for (const t of o.terms) {
      const cap = byId[t].def.loss;
      if (cap) out[t] = { node: t, port: cap.output };
    }
  return out;
}

/** What an NLL or a KL term is counted in (see the loss capability's `measures`). */
export const NATS_PER_EXAMPLE = 'nats per example';
/** A sum of terms counted in different units has none of its own. */
export const MIXED_OBJECTIVE = 'objective (weighted sum)';

/**
 * What each loss term's value is counted in (flat id → unit), for the chart's
 * axis: the node's declared unit; nats per example for an NLL or KL term; for
 * a node that only combines loss terms (a weighted sum), their shared unit or,
 * when they differ, MIXED_OBJECTIVE. A term no node says anything about is left out.
 */
export function lossUnitsOf(optimizers: OptimizerPlan[], byId: Record<string, CompiledNode>): Record<string, string> {
  const units: Record<string, string> = {};
  const unitOf = (id: string): string | undefined => {
    if (id in units) return units[id];
    const n = byId[id];
    const cap = n.def.loss!;
    let unit = cap.unit?.(n.params) ?? (cap.measures?.(n.params) ? NATS_PER_EXAMPLE : undefined);
    const parts = Object.values(n.inputs).map((ref) => byId[ref.node]);
    if (unit === undefined && parts.length > 0 && parts.every((p) => p.def.loss)) {
      const shared = new Set(parts.map((p) => unitOf(p.id)));
      const only = [...shared][0];
      unit = shared.size === 1 && only !== undefined ? only : MIXED_OBJECTIVE;
    }
    if (unit !== undefined) units[id] = unit;
    return unit;
  };
  for (const o of optimizers) for (const t of o.terms) unitOf(t);
  return units;
}

export function previewableOf(flat: CompiledNode[]): string[] {
  return [...new Set(flat.filter((n) => Object.keys(n.outputShapes).length > 0).map((n) => n.docId))];
}

/**
 * Rows above a pixel that `nodeId`'s output at that pixel depends on: the
 * deepest sum of rowsAbove along the paths from the data. Null when a node
 * on the way may read rows below. A per-example vector or a 1×1 map that
 * broadcasts over the image (a class bias) fits any window, so it adds no
 * rows. A whole plane that does not come from the data (a class map) adds no
 * rows either, but a band of rows run through the net would meet it at full
 * height: `planes` says whether the caller can cut such a plane to its window
 * (the pixel cache can; the band pass cannot, and gets null).
 */
function rowsAbove(g: FlatGraph, nodeId: string, planes: 'windowed' | 'refused'): number | null {
  const memo = new Map<string, number | null>();
  const visit = (id: string): number | null => {
    if (id === g.datasetNode) return 0;
    if (memo.has(id)) return memo.get(id)!;
    const n = g.byId[id];
    let rows = n.def.rowsAbove?.(n.params) ?? null;
    let deepest = 0;
    for (const ref of Object.values(n.inputs)) {
      if (rows === null) break;
      const fromData = ref.node === g.datasetNode || upstreamOf(g.byId, [ref.node], 'generate').has(g.datasetNode);
      const shape = g.byId[ref.node]?.outputShapes[ref.port];
      if (!fromData && shape && (shape.length < 4 || (shape[1] === 1 && shape[2] === 1) || planes === 'windowed')) continue;
      const up = fromData ? visit(ref.node) : null;
      if (up === null) rows = null;
      else deepest = Math.max(deepest, up);
    }
    const result = rows === null ? null : rows + deepest;
    memo.set(id, result);
    return result;
  };
  return visit(nodeId);
}

/**
 * The layers pixel-by-pixel sampling runs at one position per pixel: every
 * node between the data and `output` that depends on the data, with how far
 * it reads (its rowsAbove: a masked k×k convolution reads (k−1)/2 rows above
 * and as many columns either side; a pointwise node 0), and the outputs from
 * off the data's path they read. Call only where rowsAbove(g, output) is not
 * null, which already holds every such node to a window of rows above.
 * Undefined where a layer's output is not an image of the data's size.
 */
function pixelCacheOf(g: FlatGraph, output: PortRef): PixelCachePlan | undefined {
  const [height, width] = g.data.shape;
  if (g.data.shape.length !== 3) return undefined;
  const fromData = (id: string) => id === g.datasetNode || upstreamOf(g.byId, [id], 'generate').has(g.datasetNode);
  const needed = upstreamOf(g.byId, [output.node], 'generate');
  const layers: PixelCachePlan['layers'] = [];
  const constants: PortRef[] = [];
  for (const n of g.flat) {
    if (n.id === g.datasetNode || !needed.has(n.id) || !fromData(n.id)) continue;
    // Each layer's values are kept per pixel, so every output must be an image of the data's height and width.
    if (Object.values(n.outputShapes).some((s) => s.length !== 4 || s[1] !== height || s[2] !== width)) return undefined;
    layers.push({ id: n.id, reach: n.def.rowsAbove?.(n.params) ?? 0 });
    for (const port of inputsRead(n, 'generate')) {
      const ref = n.inputs[port];
      if (!fromData(ref.node) && !constants.some((c) => sameRef(c, ref))) constants.push(ref);
    }
  }
  return { layers, constants };
}

export function planModes(
  g: FlatGraph,
  optimizers: OptimizerPlan[],
  posterior: PosteriorRefs | null,
  flow: FlowPlan | null,
  diffusion: DiffusionPlan | null,
): ModePlan {
  const { data, flat, byId } = g;
  const dependsOnData = (id: string, mode: Mode) => upstreamOf(byId, [id], mode).has(g.datasetNode);
  const recon = flat.find(
    (n) => n.def.reconstruction && n.inputs[n.def.reconstruction.prediction] && n.inputs[n.def.reconstruction.target],
  );
  const reconCap = recon?.def.reconstruction;
  const reconPred = recon && reconCap && recon.inputs[reconCap.prediction];
  const reconTransform = recon && reconCap ? reconCap.transform(recon.params) : 'identity';
  const autoregressive = flat.some((n) => n.def.autoregressive?.(n.params));
  const conditional = flat.some((n) => n.def.label);
  let generate: ModePlan['generate'] = null;
  if (flow) {
    generate = { output: flow.input, transform: 'identity', autoregressive: false, conditional, rowsAbove: null, inverse: true };
  } else if (diffusion) {
    generate = {
      output: diffusion.prediction,
      transform: 'identity',
      autoregressive: false,
      conditional,
      rowsAbove: null,
      inverse: false,
      diffusion: true,
    };
  } else if (autoregressive && reconPred) {
    generate = {
      output: reconPred,
      transform: reconTransform,
      autoregressive: true,
      conditional,
      rowsAbove: rowsAbove(g, reconPred.node, 'refused'),
      inverse: false,
      pixelCache: rowsAbove(g, reconPred.node, 'windowed') === null ? undefined : pixelCacheOf(g, reconPred),
    };
  } else {
    // The generated sample: a data-shaped output that, when samplers draw from the prior, needs no data.
    const candidates: { ref: PortRef; transform: DisplayTransform }[] = [];
    for (const n of flat) {
      for (const [port, shape] of Object.entries(n.outputShapes)) {
        // Flat (B×784) or image-shaped (B×28×28×1) outputs both count; 256-way logits per value too.
        const dataShaped = shape[0] === BATCH && exampleSize(shape) === exampleSize(data.shape);
        const categorical = shape[0] === BATCH && shape[shape.length - 1] === 256 && exampleSize(shape) === 256 * exampleSize(data.shape);
        if (!dataShaped && !categorical) continue;
        if (dependsOnData(n.id, 'generate')) continue;
        if (![...upstreamOf(byId, [n.id], 'generate')].some((id) => drawsFromPrior(byId[id]))) continue;
        const ref = { node: n.id, port };
        const consumer = flat.find((c) => c.def.reconstruction && sameRef(c.inputs[c.def.reconstruction.prediction], ref));
        candidates.push({ ref, transform: consumer?.def.reconstruction?.transform(consumer.params) ?? 'identity' });
      }
    }
    const best = candidates.find((c) => reconPred && sameRef(c.ref, reconPred)) ?? candidates[candidates.length - 1];
    if (best)
      generate = { output: best.ref, transform: best.transform, autoregressive: false, conditional, rowsAbove: null, inverse: false };
  }
  let reconstruct: ModePlan['reconstruct'] = null;
  if (reconPred && !autoregressive && dependsOnData(reconPred.node, 'reconstruct')) {
    const corrupting = [...upstreamOf(byId, [reconPred.node], 'reconstruct')].map((id) => byId[id]).find((n) => n?.def.corruption);
    const seenInput = corrupting ? { node: corrupting.id, port: corrupting.def.corruption!.output } : null;
    reconstruct = { output: reconPred, transform: reconTransform, seenInput };
  }
  const latentSize = (ref: PortRef) => exampleSize(byId[ref.node].outputShapes[ref.port]);
  let encode: ModePlan['encode'] = null;
  if (flow) encode = { latent: flow.z, latentSize: latentSize(flow.z) };
  else if (posterior) encode = { latent: posterior.mean, latentSize: latentSize(posterior.mean) };
  else {
    // Document-level outputs cover layers and blocks alike (a block's roles live on the block, not its layers).
    for (const docNode of g.doc.nodes) {
      for (const [port, decl] of Object.entries(g.registry[docNode.type]?.outputs ?? {})) {
        const ref = decl.role === 'latent' ? g.docOutputs.get(docPortKey(docNode.id, port)) : undefined;
        if (ref) encode = { latent: ref, latentSize: latentSize(ref) };
      }
    }
  }
  let decode: ModePlan['decode'] = null;
  if (flow) decode = { latent: flow.z, latentSize: latentSize(flow.z), output: flow.input, transform: 'identity', mode: 'inverse' };
  else if (generate && !generate.autoregressive) {
    const source = [...upstreamOf(byId, [generate.output.node], 'generate')].map((id) => byId[id]).find(drawsFromPrior);
    const latent = source && priorOutput(source);
    // With an encoder, decoded codes must be the encoder's kind: the prior's output has to match its size.
    if (latent && (!encode || latentSize(latent) === encode.latentSize))
      decode = { latent, latentSize: latentSize(latent), output: generate.output, transform: generate.transform, mode: 'generate' };
  } else if (!generate && encode && reconstruct && upstreamOf(byId, [reconstruct.output.node], 'reconstruct').has(encode.latent.node)) {
    // A plain autoencoder decodes a code by standing in for it on the way to its reconstruction.
    decode = {
      latent: encode.latent,
      latentSize: encode.latentSize,
      output: reconstruct.output,
      transform: reconstruct.transform,
      mode: 'reconstruct',
    };
  }
  const first = optimizers[0];
  const bernoulli =
    reconPred && recon && reconCap && reconTransform === 'sigmoid' ? { logits: reconPred, target: recon.inputs[reconCap.target] } : null;
  let evaluate: ModePlan['evaluate'] = null;
  if (first && optimizers.length === 1) {
    const measured = (m: 'nll' | 'kl') => first.terms.find((t) => byId[t].def.loss?.measures?.(byId[t].params) === m) ?? null;
    const nllTerm = measured('nll');
    const klTerm = measured('kl');
    const noLikelihood =
      "its reconstruction loss is not a likelihood in nats (use a summed BCE or 256-way categorical; MSE and 'mean' reductions are not)";
    let kind: 'elbo' | 'nll' | 'objective' = 'objective';
    let why: string | null = null;
    if (autoregressive || flow) {
      if (nllTerm) kind = 'nll';
      else why = flow ? 'it has no Flow NLL loss, so its likelihood is not computed' : noLikelihood;
    } else if (posterior) {
      if (nllTerm && klTerm) kind = 'elbo';
      else why = nllTerm ? 'it has no Gaussian KL term, so the ELBO is not defined' : noLikelihood;
    } else if (diffusion) why = 'its ε-prediction MSE is a reweighted bound, not a likelihood in nats';
    else why = 'it has no sampler, so it is not a latent-variable model: its loss is a reconstruction error, not a likelihood';
    evaluate = { kind, optimizer: first.id, nllTerm, klTerm, why, bernoulli: kind === 'elbo' ? bernoulli : null };
  }
  return { train: optimizers.length > 0, generate, reconstruct, encode, decode, evaluate };
}
