/**
 * Diffusion models: the forward-noising node, the denoiser between its x_t and
 * the sampler's ε̂, the schedule and the sampler's settings, found from the
 * nodes' capabilities. The plan carries them as plain data, so the runtime's
 * sampling chain knows which ports to give x_t and t at every step without
 * looking at a node's type.
 */
import type { GraphError } from './errors';
import type { CompiledNode, DiffusionPlan, PortRef } from './plan';
import { sameRef } from './modes';
import { upstreamOf } from './upstream';
import { exampleSize, formatShape } from '../graph/shape';

type DiffusionError = Omit<GraphError, 'severity' | 'code'> & { severity?: GraphError['severity'] };

/**
 * Finds the diffusion structure, if the graph has a Diffusion sampler or a
 * forward-noising node, and reports what would make its samples meaningless:
 * a denoiser that does not read x_t, reads ε or the clean data itself (none of
 * which the sampler has), a loss whose target is not ε, or guidance with no
 * unconditional model.
 */
export function linkDiffusion(
  flat: CompiledNode[],
  byId: Record<string, CompiledNode>,
  datasetNode: string,
): { diffusion: DiffusionPlan | null; errors: (DiffusionError & { code: 'diffusion' })[] } {
  const errors: DiffusionError[] = [];
  const done = (diffusion: DiffusionPlan | null) => ({ diffusion, errors: errors.map((e) => ({ ...e, code: 'diffusion' as const })) });
  const noisings = flat.filter((n) => n.def.diffusionNoising);
  const samplers = flat.filter((n) => n.def.diffusionSampler);
  for (const extra of noisings.slice(1))
    errors.push({
      nodeId: extra.docId,
      message: 'a diffusion model has one Forward noising node; this is a second one',
      hint: `delete it and feed the denoiser from ${noisings[0].docId}`,
    });
  for (const extra of samplers.slice(1))
    errors.push({
      nodeId: extra.docId,
      message: 'a diffusion model has one Diffusion sampler; this is a second one',
      hint: `delete it and set the sampling options on ${samplers[0].docId}`,
    });
  const noising = noisings[0];
  const noiseCap = noising?.def.diffusionNoising;
  const noiseRef = noising && noiseCap ? { node: noising.id, port: noiseCap.noise } : null;
  for (const n of flat) {
    const cap = n.def.diffusionLoss;
    const target = cap && n.inputs[cap.target];
    if (!cap || !target || sameRef(target, noiseRef ?? undefined)) continue;
    errors.push({
      nodeId: n.docId,
      port: cap.target,
      message: 'the target of the ε-prediction loss is the noise ε that Forward noising added',
      hint: noising ? `connect ${noising.docId}.${noiseCap!.noise} here` : 'add a Forward noising node and connect its ε here',
    });
  }
  const sampler = samplers[0];
  if (!sampler) {
    if (noising)
      errors.push({
        nodeId: noising.docId,
        severity: 'warning',
        message: 'nothing samples from this diffusion model, so it trains but cannot generate',
        hint: "add a Diffusion sampler and connect the denoiser's output (ε̂) to it",
      });
    return done(null);
  }
  const samplerCap = sampler.def.diffusionSampler!;
  const prediction = sampler.inputs[samplerCap.prediction];
  if (!prediction) return done(null); // the missing input is reported where inputs are checked
  // The denoiser: everything ε̂ depends on, up to (not including) forward noising; what it reads of noising says how it is wired.
  const denoiser = upstreamOf(byId, [prediction.node], 'train', noising ? [noising.id] : []);
  const read: PortRef[] = [...denoiser].flatMap((id) => Object.values(byId[id]?.inputs ?? {}));
  const reads = (port: string) => !!noising && read.some((r) => r.node === noising.id && r.port === port);
  if (!noising || !noiseCap || !reads(noiseCap.noisy)) {
    errors.push({
      nodeId: sampler.docId,
      port: samplerCap.prediction,
      message: noising
        ? `the ε̂ it reads does not depend on ${noising.docId}'s x_t, so the denoiser cannot see the sample it should denoise`
        : 'the ε̂ it reads comes from no Forward noising node: a diffusion model learns to denoise x_t',
      hint: noising
        ? `connect ${noising.docId}.${noiseCap!.noisy} into the denoiser, and the denoiser's output here`
        : 'add a Noise schedule and a Forward noising node, and feed its x_t (and t, through a Timestep embedding) to the denoiser',
    });
    return done(null);
  }
  if (reads(noiseCap.noise))
    errors.push({
      nodeId: sampler.docId,
      port: samplerCap.prediction,
      message: `the denoiser reads ${noising.docId}'s ε, the very noise it should predict; when sampling there is no such ε`,
      hint: 'feed the denoiser x_t and t only; ε is the target of the ε-prediction loss',
    });
  if (denoiser.has(datasetNode))
    errors.push({
      nodeId: sampler.docId,
      port: samplerCap.prediction,
      message: 'the denoiser reads the clean data from the Dataset; when sampling there is none, only x_t',
      hint: 'feed the denoiser x_t and t from Forward noising, not the data',
    });
  if (!reads(noiseCap.timestep))
    errors.push({
      nodeId: sampler.docId,
      port: samplerCap.prediction,
      severity: 'warning',
      message: `the denoiser does not see ${noising.docId}'s t, so it must guess how noisy x_t is`,
      hint: 'feed t through a Timestep embedding into the denoiser',
    });
  const noisyShape = noising.outputShapes[noiseCap.noisy];
  const predShape = byId[prediction.node].outputShapes[prediction.port];
  if (exampleSize(predShape) !== exampleSize(noisyShape))
    errors.push({
      nodeId: sampler.docId,
      port: samplerCap.prediction,
      message: `ε̂ ${formatShape(predShape)} must hold one value per value of x_t ${formatShape(noisyShape)}`,
      hint: 'end the denoiser with as many outputs as the data has values',
    });
  const scheduleRef = noising.inputs[noiseCap.schedule];
  const scheduleNode = scheduleRef && byId[scheduleRef.node];
  const scheduleCap = scheduleNode?.def.diffusionSchedule;
  if (!scheduleNode || !scheduleCap || scheduleRef.port !== scheduleCap.output) {
    if (scheduleRef)
      errors.push({
        nodeId: noising.docId,
        port: noiseCap.schedule,
        message: 'the schedule must come from a Noise schedule, which the sampler reads too',
        hint: "connect a Noise schedule's ᾱ here",
      });
    return done(null);
  }
  const betas = scheduleCap.betas(scheduleNode.params);
  const settings = samplerCap.settings(sampler.params);
  if (settings.method === 'ddim' && settings.steps > betas.length)
    errors.push({
      nodeId: sampler.docId,
      message: `ddim takes k = ${settings.steps} steps but the schedule has only T = ${betas.length}`,
      hint: `use at most ${betas.length} steps`,
    });
  const dropout = [...denoiser].map((id) => byId[id]).find((n) => n?.def.conditionDropout);
  if (settings.guidance > 0 && !dropout)
    errors.push({
      nodeId: sampler.docId,
      message: `guidance weight ${settings.guidance} needs the unconditional model too, which nothing trains`,
      hint: 'put a Label dropout between the Label and the denoiser, or set guidance to 0',
    });
  return done({
    noisy: { node: noising.id, port: noiseCap.noisy },
    timestep: { node: noising.id, port: noiseCap.timestep },
    prediction,
    condition: dropout ? { node: dropout.id, port: dropout.def.conditionDropout!.output } : null,
    betas,
    settings,
  });
}
