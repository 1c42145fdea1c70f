/**
 * What a session has loaded: the document and its plan, the model built from
 * it, the data and the batcher over it, and the settings the user changed
 * (learning rates, batch size). The session's parts share one workspace.
 */
import type { Plan } from '../compiler/plan';
import { createBatcher, type Batcher } from '../data/batcher';
import type { DataSet } from '../data/types';
import type { GraphDocument } from '../graph/document';
import { CompiledModel, type Batch } from './model';
import type { Measurement, ModelInfo } from './protocol';
import type { GraphData } from './planData';
import type { Reader, ReadMode } from './reads';

export type SessionModel = CompiledModel<ReadMode>;

export class Workspace {
  doc: GraphDocument | null = null;
  docKey = '';
  plan: Plan | null = null;
  model: SessionModel | null = null;
  /** The examples the plan was compiled against (see compileWithData). */
  data: GraphData | null = null;
  batcher: Batcher | null = null;
  batchSize = 0;
  learningRates: Record<string, number> = {};
  /** Sample-quality measurements of this model, by ascending step (they travel with its checkpoints). */
  measurements: Measurement[] = [];
  /** The model's last round had a non-finite loss: it trains no further until restored or reset. */
  diverged = false;
  /** Why the latest document could not be loaded (compile errors, data that failed to load): the model here is an older one's, so it must not train. */
  loadProblem: string | null = null;

  get train(): DataSet | null {
    return this.data?.train ?? null;
  }

  get test(): DataSet | null {
    return this.data?.test ?? null;
  }

  get step(): number {
    return this.model?.step ?? 0;
  }

  /** The loaded model and plan, or the error a request without one gets. */
  need(): { model: SessionModel; plan: Plan } {
    if (!this.model || !this.plan) throw new Error('load a graph first');
    return { model: this.model, plan: this.plan };
  }

  /** A fresh model of the plan, reading the way `reader` does, with the learning rates the user set. */
  buildModel(reader: Reader) {
    this.model = new CompiledModel(this.plan!, { reader });
    for (const [opt, lr] of Object.entries(this.learningRates)) this.model.setLearningRate(opt, lr);
  }

  disposeModel() {
    try {
      this.model?.dispose();
    } catch {
      /* a lost context cannot free its textures; the backend goes with it */
    }
    this.model = null;
  }

  setLearningRate(optimizer: string, lr: number) {
    this.learningRates[optimizer] = lr;
    this.model?.setLearningRate(optimizer, lr);
  }

  /** A new batch order over the training data (seeded by the document unless told otherwise). */
  restartBatches(seed = this.plan!.seed) {
    this.batcher = createBatcher(this.train!, this.batchSize, seed);
  }

  /** The next training batch, in the model's terms. */
  nextBatch(): Batch {
    const b = this.batcher!.next();
    return { x: b.x, oneHot: b.oneHot, size: this.batchSize };
  }

  info(): ModelInfo {
    const plan = this.plan!;
    const doc = this.doc!;
    const labelOf = (id: string) => doc.nodes.find((n) => n.id === id)?.label || id;
    const units: Record<string, string> = {};
    for (const [id, unit] of Object.entries(plan.lossUnits)) units[plan.lossNames[id]] = unit;
    // A total is the value of the loss node wired to its optimizer, so it is counted in that node's unit.
    for (const o of plan.optimizers) if (plan.lossUnits[o.loss.node]) units[o.id] = plan.lossUnits[o.loss.node];
    const ev = plan.modes.evaluate;
    return {
      title: doc.meta.title,
      optimizers: plan.optimizers.map((o) => ({
        id: o.id,
        label: labelOf(o.id),
        learningRate: this.learningRates[o.id] ?? o.learningRate,
        stepsPerRound: o.stepsPerRound,
        terms: o.terms.map((t) => plan.lossNames[t]),
        total: plan.lossNames[o.loss.node] ?? o.id,
      })),
      lossTerms: [
        ...new Set([...plan.optimizers.flatMap((o) => o.terms.map((t) => plan.lossNames[t])), ...plan.optimizers.map((o) => o.id)]),
      ],
      units,
      elbo: ev?.kind === 'elbo' && ev.nllTerm && ev.klTerm ? { nll: plan.lossNames[ev.nllTerm], kl: plan.lossNames[ev.klTerm] } : null,
      modes: {
        generate: !!plan.modes.generate,
        autoregressive: !!plan.modes.generate?.autoregressive,
        conditional: !!plan.modes.generate?.conditional,
        reconstruct: !!plan.modes.reconstruct,
        encode: !!plan.modes.encode,
        likelihood: !!ev && ev.kind !== 'objective',
        flow: !!plan.flow,
        diffusion: !!plan.diffusion,
      },
      latentSize: plan.modes.encode?.latentSize ?? 0,
      diffusionSteps: plan.diffusion?.betas.length ?? 0,
      data: {
        kind: plan.data.kind,
        shape: plan.data.shape.slice(),
        numClasses: plan.data.numClasses,
        source: plan.dataSpec.source,
        ...(plan.data.measured?.classNames ? { classNames: plan.data.measured.classNames } : {}),
      },
      batchSize: this.batchSize || plan.data.batchSize,
      paramCount: plan.paramCount,
      previewable: plan.previewable,
      hasKl: !!plan.posterior?.logVar,
    };
  }
}
