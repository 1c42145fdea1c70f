/**
 * The decode path of a plan (a VAE's prior → decoder, a GAN's noise →
 * generator) as a TF.js LayersModel, which tf.loadLayersModel opens anywhere:
 * the latent (and a conditional model's one-hot class) in, data-space values
 * out, as CompiledModel.decode computes them. Each node says what it is in
 * Keras in its own file (`keras` in the node contract); a node that says
 * nothing, or refuses its parameters, stops the export with its name.
 */
import * as tf from './tf';
import type { KerasLayer, KerasMapping } from '../graph/nodeApi';
import type { CompiledNode, Plan, PortRef } from '../compiler/plan';
import { inputsRead, upstreamOf } from '../compiler/upstream';
import type { ModelState } from './weights';

/** Why the plan has no LayersModel: the node to point at (null: the graph as a whole) and the fix. */
export class LayersExportError extends Error {
  constructor(
    readonly nodeId: string | null,
    readonly nodeType: string | null,
    problem: string,
    readonly hint: string,
  ) {
    super(`${problem}; ${hint}`);
    this.name = 'LayersExportError';
  }
}

export type LatentPrior = Extract<KerasMapping, { prior: unknown }>['prior'];

/** What drawing from the exported model takes besides the model: its inputs' meaning and its outputs' shape. */
export interface ExportedModelInfo {
  /** The first input, per example, and how the prior draws it. */
  latentShape: number[];
  prior: LatentPrior;
  /** 0: unconditional; otherwise the second input is a one-hot class of this many. */
  classes: number;
  classNames: string[] | null;
  /** Each output row, reshaped to this, is one example in data space ([0, 1] for images). */
  dataShape: number[];
  dataKind: 'image' | 'points';
  /** The training step the weights come from. */
  step: number;
}

export interface LayersExport {
  /** model.json: modelTopology and a weightsManifest naming weights.bin. */
  modelJson: string;
  weights: ArrayBuffer;
  info: ExportedModelInfo;
}

/** The file name model.json's manifest gives the weights. */
export const WEIGHTS_FILE = 'weights.bin';

type Factory = (config: never) => tf.layers.Layer;
const FACTORIES: Record<KerasLayer['factory'], Factory> = {
  dense: tf.layers.dense,
  conv2d: tf.layers.conv2d,
  conv2dTranspose: tf.layers.conv2dTranspose,
  batchNormalization: tf.layers.batchNormalization,
  activation: tf.layers.activation,
  leakyReLU: tf.layers.leakyReLU,
  reshape: tf.layers.reshape,
  flatten: tf.layers.flatten,
  upSampling2d: tf.layers.upSampling2d,
  layerNormalization: tf.layers.layerNormalization,
  maxPooling2d: tf.layers.maxPooling2d,
  averagePooling2d: tf.layers.averagePooling2d,
  concatenate: tf.layers.concatenate,
  add: tf.layers.add,
};

const refKey = (r: PortRef) => `${r.node}\u0000${r.port}`;

function refuse(n: CompiledNode, problem: string, hint: string): LayersExportError {
  return new LayersExportError(n.docId, n.type, `node "${n.docId}" (${n.def.title}) ${problem}`, hint);
}

/** The model's state as tensors by our names (owner/variable), trained or not. */
function stateTensors(state: ModelState): (n: CompiledNode, name: string) => tf.Tensor {
  return (n, name) => {
    const key = `${n.weightOwner}/${name}`;
    const t = state.tensors[`var:${key}`] ?? state.tensors[`state:${key}`];
    if (!t) throw refuse(n, `has no weight ${name} in the model`, 'rebuild the model and export again');
    return tf.tensor(t.data, t.shape);
  };
}

/** Builds the LayersModel of the plan's decode path with the weights in `state`. */
function buildModel(plan: Plan, state: ModelState): { model: tf.LayersModel; prior: LatentPrior; classes: number } {
  const d = plan.modes.decode;
  const g = plan.modes.generate;
  if (!d || d.mode === 'inverse' || g?.diffusion || g?.autoregressive)
    throw new LayersExportError(
      null,
      null,
      'this graph has no decoder path a LayersModel can hold (it exports a latent → decoder or noise → generator network)',
      'export a VAE or GAN; flows, diffusion and autoregressive models sample with loops of their own',
    );
  const latentNode = plan.byId[d.latent.node];
  const latentMapping = latentNode.def.keras?.(latentNode.params as never, latentNode.inputShapes);
  if (!latentMapping || !('prior' in latentMapping))
    throw refuse(
      latentNode,
      'makes the code the decoder reads, which is no draw from a prior',
      'export a VAE or GAN, whose latent has a prior',
    );
  const used = new Set<string>();
  const layerName = (n: CompiledNode) => {
    const base = n.id.replace(/[^A-Za-z0-9_]/g, '_');
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
  const latent = tf.input({ shape: latentNode.outputShapes[d.latent.port].slice(1), name: layerName(latentNode) });
  const inputs = [latent];
  const values = new Map<string, tf.SymbolicTensor>([[refKey(d.latent), latent]]);
  const weightOf = stateTensors(state);
  const made: tf.Tensor[] = [];
  const needed = upstreamOf(plan.byId, [d.output.node], d.mode, [d.latent.node]);
  try {
    for (const n of plan.nodes) {
      if (!needed.has(n.id)) continue;
      const outputs = Object.keys(n.outputShapes);
      if (n.def.label) {
        if (inputs.length === 1) inputs.push(tf.input({ shape: [plan.data.numClasses], name: layerName(n) }));
        values.set(refKey({ node: n.id, port: n.def.label.output }), inputs[1]);
        continue;
      }
      const mapping = n.def.keras?.(n.params as never, n.inputShapes);
      if (!mapping)
        throw refuse(
          n,
          'has no Keras layer to export to',
          'replace it with layers that have one (Dense, convolutions, batch norm, activations, reshapes)',
        );
      if ('refused' in mapping) throw refuse(n, `cannot be exported: ${mapping.refused}`, mapping.hint);
      if ('prior' in mapping)
        throw refuse(
          n,
          'draws random values on the way to the output',
          'a LayersModel takes the one latent as its input: remove the second draw',
        );
      if (outputs.length !== 1) throw refuse(n, 'has several outputs, which a Keras layer cannot give', 'export a graph without it');
      const read = inputsRead(n, d.mode);
      const ports = (mapping.inputs ?? read).filter((p) => read.includes(p));
      const args = ports.map((p) => values.get(refKey(n.inputs[p]))!);
      let h: tf.SymbolicTensor | tf.SymbolicTensor[] = args.length === 1 ? args[0] : args;
      for (const spec of mapping.layers) {
        const layer = FACTORIES[spec.factory]({ ...spec.config, name: layerName(n) } as never);
        h = layer.apply(h) as tf.SymbolicTensor;
        if (!spec.weights) continue;
        // A per-feature weight of ours (a layer norm's gain of an image) is the same at every position of Keras's larger one.
        const ours = spec.weights.map((name, i) => {
          const w = weightOf(n, name);
          const theirs = layer.getWeights()[i]?.shape;
          if (!theirs || theirs.join() === w.shape.join()) return w;
          made.push(w);
          return tf.broadcastTo(w, theirs);
        });
        made.push(...ours);
        try {
          layer.setWeights(ours);
        } catch (e) {
          throw refuse(n, `has weights that do not fit its Keras layer (${(e as Error).message})`, 'report this as a bug');
        }
      }
      values.set(refKey({ node: n.id, port: outputs[0] }), h as tf.SymbolicTensor);
    }
    let out = values.get(refKey(d.output))!;
    const outNode = plan.byId[d.output.node];
    if (d.transform === 'softmax256') throw refuse(outNode, 'gives 256-way pixel logits', 'export a model with one value per pixel');
    if (d.transform === 'sigmoid')
      out = tf.layers.activation({ activation: 'sigmoid', name: 'to_probabilities' }).apply(out) as tf.SymbolicTensor;
    // Images live in [0, 1], as the runtime clips them; a ReLU with a ceiling is that clip.
    else if (plan.data.kind === 'image') out = tf.layers.reLU({ maxValue: 1, name: 'to_pixels' }).apply(out) as tf.SymbolicTensor;
    if (out.shape.slice(1).join() !== plan.data.shape.join())
      out = tf.layers.reshape({ targetShape: plan.data.shape.slice(), name: 'to_data_shape' }).apply(out) as tf.SymbolicTensor;
    return { model: tf.model({ inputs, outputs: out }), prior: latentMapping.prior, classes: inputs.length > 1 ? plan.data.numClasses : 0 };
  } finally {
    made.forEach((t) => t.dispose());
  }
}

/**
 * The LayersModel of `plan`'s decode path with the weights of `state`, serialised
 * by TF.js itself (model.save), with `metadata` beside our own in userDefinedMetadata.
 */
export async function exportLayersModel(plan: Plan, state: ModelState, metadata: Record<string, unknown> = {}): Promise<LayersExport> {
  const { model, prior, classes } = buildModel(plan, state);
  try {
    let artifacts: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const saved = artifacts as unknown as tf.io.ModelArtifacts;
    const info: ExportedModelInfo = {
      latentShape: model.inputs[0].shape.slice(1) as number[],
      prior,
      classes,
      classNames: plan.data.measured?.classNames ?? null,
      dataShape: plan.data.shape.slice(),
      dataKind: plan.data.kind,
      step: state.step,
    };
    const modelJson = JSON.stringify({
      format: saved.format,
      generatedBy: saved.generatedBy,
      convertedBy: null,
      modelTopology: saved.modelTopology,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: saved.weightSpecs }],
      userDefinedMetadata: { ...metadata, latentLab: info },
    });
    return { modelJson, weights: tf.io.CompositeArrayBuffer.join(saved.weightData), info };
  } finally {
    model.dispose();
  }
}
