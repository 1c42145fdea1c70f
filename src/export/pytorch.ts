/**
 * A compiled plan as a standalone PyTorch project: model.py (one nn.Module per
 * block and a Model holding every layer with weights, named after the graph's
 * nodes), losses.py (each optimizer's objective, node by node), train.py (the
 * plan's optimizers, steps per round, seed and batch size), layers.py and
 * latent_lab.py (exact layers; our checkpoint and data formats), README.md.
 * Pure: it returns the files, the caller writes them.
 */
import type { CompiledNode, DiffusionPlan, FlowPlan, Plan, PortRef } from '../compiler/plan';
import { inputsRead, upstreamOf } from '../compiler/upstream';
import type { GraphDocument } from '../graph/document';
import { DIFFUSION_EMITTERS } from './diffusionEmitters';
import { emitterFor, Tuple, type Pass, type TensorMapping } from './emitters';
import { ExportError } from './errors';
import { FLOW_EMITTERS } from './flowEmitters';
import { className, comment, docText, identifier, pyNumber, pyString } from './names';
import { DATASETS_PY, GENERATED_SOURCES, MIXTURE_COUNT } from './pythonData';
import { DIFFUSION_PY } from './pythonDiffusion';
import { FLOWS_PY } from './pythonFlows';
import { LAYERS_PY, LOSS_FUNCTIONS_PY, LOSS_IMPORTS_PY } from './pythonLayers';
import { SAMPLE_PY_BODY } from './pythonSample';
import { LATENT_LAB_PY, TRAIN_PY_BODY, TRAIN_PY_IMPORTS } from './pythonTrain';
import { readme } from './readme';

export interface ExportedProject {
  /** Path inside the project → its text, or bytes (the carried checkpoint). */
  files: Record<string, string | Uint8Array>;
}

export interface CarriedCheckpoint {
  /** checkpoint.json's text and weights.bin's bytes, as a run folder holds them. */
  checkpointJson: string;
  weightsBin: Uint8Array;
  step: number;
}

/**
 * Data sources train.py can read: MNIST-format IDX files (the embedded digits are MNIST's), an image
 * folder, and the 2-D sets it makes itself (datasets.py). The procedural shapes and browser uploads it cannot.
 */
const LOADABLE_SOURCES = ['mnist', 'idx', 'pngdir', ...GENERATED_SOURCES];

const refKey = (r: PortRef) => `${r.node}\u0000${r.port}`;

/** A block as one call: its inputs by the document's port names, and the inner outputs read outside it. */
interface BlockCall {
  docId: string;
  /** The block that owns the weights (itself, or the one it shares them with). */
  ownerDocId: string;
  nodes: CompiledNode[];
  inputs: { port: string; ref: PortRef }[];
  outputs: PortRef[];
}

export function exportPytorch(plan: Plan, doc: GraphDocument, checkpoint?: CarriedCheckpoint): ExportedProject {
  return new PytorchExport(plan, doc).files(checkpoint);
}

class PytorchExport {
  private readonly docNodes: Map<string, GraphDocument['nodes'][number]>;
  /** Top-level attribute of Model per document node that owns weights. */
  private readonly topAttr = new Map<string, string>();
  /** Attribute inside its block's module per inner flat id (of owner blocks). */
  private readonly innerAttr = new Map<string, string>();
  private readonly blockClass = new Map<string, string>();
  private readonly blocks = new Map<string, BlockCall>();

  constructor(
    private readonly plan: Plan,
    private readonly doc: GraphDocument,
  ) {
    this.docNodes = new Map(doc.nodes.map((n) => [n.id, n]));
    this.check();
    this.name();
  }

  /** Refuses, naming the node, whatever would not train the same in PyTorch. */
  private check() {
    const dataset = this.plan.byId[this.plan.datasetNode];
    if (!LOADABLE_SOURCES.includes(this.plan.dataSpec.source))
      throw new ExportError(
        'unsupported-setting',
        dataset.docId,
        dataset.type,
        `node "${dataset.docId}" reads the ${this.plan.dataSpec.source} source, which train.py cannot load yet (it reads MNIST-format IDX files, image folders and the 2-D sets ${GENERATED_SOURCES.join(', ')})`,
        'switch the Dataset to mnist, idx files or an image folder (pngdir) to export this graph',
      );
    for (const n of this.plan.nodes) {
      if (n.def.optimizer) {
        const algorithm = (n.params as Record<string, unknown>).algorithm;
        if (algorithm !== 'adam' && algorithm !== 'sgd')
          throw new ExportError(
            'unsupported-setting',
            n.docId,
            n.type,
            `node "${n.docId}" uses ${String(algorithm)}, whose TF.js update differs from torch.optim's and has no exporter yet`,
            'use adam or sgd to export this graph',
          );
        continue;
      }
      const e = emitterFor(n);
      if (n.def.trainable && !e.module) throw new Error(`emitter for ${n.type} has weights but no module`);
    }
  }

  private name() {
    const topUsed = new Set<string>();
    const classUsed = new Set(['Model', 'BatchNorm', 'MaskedConv2d', 'ActNorm', 'AffineCoupling', 'InvConv1x1']);
    for (const n of this.plan.nodes) {
      const inBlock = n.id !== n.docId;
      if (!inBlock) {
        if (n.def.trainable && n.weightOwner === n.id) this.topAttr.set(n.id, identifier(n.id, topUsed));
        continue;
      }
      if (!this.blocks.has(n.docId)) this.blocks.set(n.docId, this.blockCall(n.docId));
      const call = this.blocks.get(n.docId)!;
      if (call.ownerDocId !== n.docId) continue;
      if (!this.topAttr.has(n.docId)) {
        this.topAttr.set(n.docId, identifier(n.docId, topUsed));
        this.blockClass.set(n.docId, className(n.docId, this.docNodes.get(n.docId)?.type ?? 'block', classUsed));
      }
    }
    for (const call of this.blocks.values()) {
      if (call.ownerDocId !== call.docId) continue;
      const used = new Set<string>();
      for (const n of call.nodes) if (n.def.trainable) this.innerAttr.set(n.id, identifier(this.innerId(n), used));
    }
  }

  private innerId(n: CompiledNode): string {
    return n.id.slice(n.docId.length + 1);
  }

  private blockCall(docId: string): BlockCall {
    const nodes = this.plan.nodes.filter((n) => n.docId === docId && n.id !== docId);
    const inside = new Set(nodes.map((n) => n.id));
    const owner = nodes[0].weightOwner.slice(0, nodes[0].weightOwner.length - this.innerId(nodes[0]).length - 1);
    const inputs: BlockCall['inputs'] = [];
    for (const n of nodes)
      for (const port of inputsRead(n)) {
        const ref = n.inputs[port];
        if (inside.has(ref.node) || inputs.some((i) => refKey(i.ref) === refKey(ref))) continue;
        inputs.push({ port: this.blockPortOf(docId, ref), ref });
      }
    inputs.sort((a, b) => a.port.localeCompare(b.port));
    const read = new Set<string>();
    for (const n of this.plan.nodes)
      if (!inside.has(n.id)) for (const port of inputsRead(n)) if (inside.has(n.inputs[port].node)) read.add(refKey(n.inputs[port]));
    for (const ref of Object.values(this.plan.lossOutputs)) if (inside.has(ref.node)) read.add(refKey(ref));
    const outputs = nodes
      .flatMap((n) => Object.keys(n.outputShapes).map((port) => ({ node: n.id, port })))
      .filter((r) => read.has(refKey(r)));
    return { docId, ownerDocId: owner, nodes, inputs, outputs };
  }

  /** Which of the block's document ports an outside value arrives on. */
  private blockPortOf(docId: string, ref: PortRef): string {
    const source = this.plan.byId[ref.node];
    const sourceIsLayer = source.id === source.docId;
    const edges = this.doc.edges.filter(
      (e) => e.target === docId && e.source === source.docId && (!sourceIsLayer || e.sourcePort === ref.port),
    );
    if (edges.length !== 1)
      throw new ExportError(
        'unsupported-setting',
        docId,
        this.docNodes.get(docId)?.type ?? null,
        `node "${docId}" takes ${source.docId}'s outputs on ${edges.length} ports, which the exporter cannot tell apart`,
        'feed each of its inputs from a different node',
      );
    return edges[0].targetPort;
  }

  /** The Python path of a variable owner's module, from `model`. */
  private modulePath(owner: string): string {
    const top = this.topAttr.get(owner);
    if (top) return top;
    const cut = owner.indexOf('/');
    return `${this.topAttr.get(owner.slice(0, cut))}.${this.innerAttr.get(owner)}`;
  }

  /** Lines computing `nodes` in order, naming each output in `vars`; `moduleOf` gives a layer's module expression. */
  private forwardLines(
    nodes: CompiledNode[],
    vars: Map<string, string>,
    used: Set<string>,
    moduleOf: (n: CompiledNode) => string,
    indent: string,
    pass: Pass = 'train',
  ): string[] {
    const lines: string[] = [];
    const nameOf = (n: CompiledNode, port: string) => {
      const name = identifier(`${n.id}_${port}`, used);
      vars.set(refKey({ node: n.id, port }), name);
      return name;
    };
    for (const n of nodes) {
      const inputs: Record<string, string> = {};
      for (const port of inputsRead(n, pass)) inputs[port] = vars.get(refKey(n.inputs[port]))!;
      const outputs = emitterFor(n).forward(n, inputs, n.def.trainable ? moduleOf(n) : '', pass);
      const label = this.docNodes.get(n.docId)?.label;
      if (label && n.id === n.docId) lines.push(indent + comment(label));
      if (outputs instanceof Tuple) {
        lines.push(`${indent}${outputs.ports.map((port) => nameOf(n, port)).join(', ')} = ${outputs.expr}`);
        continue;
      }
      for (const [port, expr] of Object.entries(outputs)) lines.push(`${indent}${nameOf(n, port)} = ${expr}`);
    }
    return lines;
  }

  /**
   * Lines computing the `needed` nodes from `model` in plan order, each block as one call of its
   * module; `after` adds lines once a node's outputs are named (guidance blanks a condition).
   */
  private passLines(
    needed: Set<string>,
    vars: Map<string, string>,
    used: Set<string>,
    pass: Pass,
    after: (n: CompiledNode) => string[] = () => [],
  ): string[] {
    const out: string[] = [];
    const called = new Set<string>();
    for (const n of this.plan.nodes) {
      if (!needed.has(n.id) || n.def.optimizer) continue;
      if (n.id === n.docId) {
        out.push(...this.forwardLines([n], vars, used, (m) => `model.${this.modulePath(m.weightOwner)}`, '    ', pass));
        out.push(...after(n));
        continue;
      }
      if (called.has(n.docId)) continue;
      called.add(n.docId);
      const call = this.blocks.get(n.docId)!;
      const results = call.outputs.map((r) => {
        const name = identifier(`${r.node}_${r.port}`, used);
        vars.set(refKey(r), name);
        return name;
      });
      const label = this.docNodes.get(n.docId)?.label;
      if (label) out.push(`    ${comment(label)}`);
      const args = call.inputs.map((i) => vars.get(refKey(i.ref))).join(', ');
      out.push(`    ${results.join(', ')} = model.${this.topAttr.get(call.ownerDocId)}(${args})`);
    }
    return out;
  }

  private modelPy(): string {
    const out: string[] = [
      `"""The networks of "${docText(this.doc.meta.title)}", exported from Latent Lab.`,
      '',
      'Model holds every layer with weights, under its node id in the graph; a block (Generator,',
      'Discriminator, …) is its own nn.Module. Model.forward(optimizer, batch, draw) computes that',
      "optimizer's loss and its terms (losses.py). Images are NCHW here (see layers.py).",
      '"""',
      'import torch',
      'from torch import nn',
      'import torch.nn.functional as F',
      '',
      'from layers import BatchNorm, MaskedConv2d',
      ...(this.uses(FLOW_EMITTERS) ? ['from flows import ActNorm, AffineCoupling, InvConv1x1'] : []),
      'from losses import OBJECTIVES',
      '',
    ];
    for (const call of this.blocks.values()) {
      if (call.ownerDocId !== call.docId) continue;
      const label = this.docNodes.get(call.docId)?.label;
      out.push('', '', `class ${this.blockClass.get(call.docId)}(nn.Module):`);
      out.push(`    """Block "${docText(call.docId)}"${label ? ` (${docText(label)})` : ''}, expanded into its layers."""`, '');
      out.push('    def __init__(self):', '        super().__init__()');
      for (const n of call.nodes) if (n.def.trainable) out.push(`        self.${this.innerAttr.get(n.id)} = ${emitterFor(n).module!(n)}`);
      const used = new Set<string>();
      const vars = new Map<string, string>();
      const args = call.inputs.map((i) => {
        const name = identifier(i.port, used);
        vars.set(refKey(i.ref), name);
        return name;
      });
      out.push('', `    def forward(self, ${args.join(', ')}):`);
      out.push(...this.forwardLines(call.nodes, vars, used, (n) => `self.${this.innerAttr.get(n.id)}`, '        '));
      out.push(`        return ${call.outputs.map((r) => vars.get(refKey(r))).join(', ')}`);
    }
    out.push('', '', 'class Model(nn.Module):', '    def __init__(self):', '        super().__init__()');
    for (const [docId, attr] of this.topAttr) {
      const node = this.plan.byId[docId];
      const label = this.docNodes.get(docId)?.label;
      const made = node ? emitterFor(node).module!(node) : `${this.blockClass.get(docId)}()`;
      out.push(`        self.${attr} = ${made}${label ? `  ${comment(label)}` : ''}`);
    }
    if (this.topAttr.size === 0) out.push('        pass');
    out.push(
      '',
      '    def forward(self, optimizer, batch, draw):',
      '        """The loss `optimizer` minimises and every term it reports, by name."""',
      '        return OBJECTIVES[optimizer](self, batch, draw)',
      '',
      '',
      '# Each checkpoint tensor: its Latent Lab key, where it lives in Model, and how its layout changes (latent_lab.py).',
      'WEIGHTS = [',
    );
    for (const n of this.plan.nodes) {
      if (!n.def.trainable || n.weightOwner !== n.id) continue;
      for (const t of emitterFor(n).tensors!(n) as TensorMapping[])
        out.push(
          `    (${pyString(`${t.kind}:${n.id}/${t.ours}`)}, ${pyString(`${this.modulePath(n.id)}.${t.torch}`)}, ${pyString(t.layout)}),`,
        );
    }
    out.push(']', '');
    return out.join('\n');
  }

  private lossesPy(): string {
    const out: string[] = [
      `"""The objectives of "${docText(this.doc.meta.title)}": per optimizer, the graph's training pass node by node.`,
      '',
      'batch: {"x": examples (images NCHW), "y": one-hot labels or None, "size": examples}.',
      'draw(kind, shape): random values, "normal" N(0, 1) or "uniform" (with low, high), drawn in',
      "the graph's order (train.py gives fresh ones, or recorded ones with --replay).",
      '"""',
      LOSS_IMPORTS_PY,
      ...this.familyImports(),
      LOSS_FUNCTIONS_PY,
    ];
    const names: string[] = [];
    const fnUsed = new Set<string>();
    for (const opt of this.plan.optimizers) {
      const fn = identifier(`${opt.id}_objective`, fnUsed);
      names.push(`${pyString(opt.id)}: ${fn}`);
      const needed = upstreamOf(this.plan.byId, [opt.loss.node], 'train');
      const label = this.docNodes.get(opt.id)?.label;
      out.push('', `def ${fn}(model, batch, draw):`);
      out.push(`    """What ${docText(label ? `${label} (${opt.id})` : opt.id)} minimises, and the terms it reports."""`);
      const used = new Set<string>();
      const vars = new Map<string, string>();
      out.push(...this.passLines(needed, vars, used, 'train'));
      const reported = [
        `${pyString(opt.id)}: ${vars.get(refKey(opt.loss))}`,
        ...opt.terms.map((t) => `${pyString(this.plan.lossNames[t])}: ${vars.get(refKey(this.plan.lossOutputs[t]))}`),
      ];
      out.push(`    return {${reported.join(', ')}}`);
    }
    out.push('', '', '# Optimizer id -> its objective.', `OBJECTIVES = {${names.join(', ')}}`, '');
    return out.join('\n');
  }

  private trainPy(): string {
    const data = this.plan.data;
    const optimizers = this.plan.optimizers.map((opt) => {
      const p = this.plan.byId[opt.id].params as Record<string, number | string>;
      const label = this.docNodes.get(opt.id)?.label;
      return [
        `    # ${label ? `${label.replace(/[\r\n]+/g, ' ')}: ` : ''}${opt.stepsPerRound} step(s) per round`,
        `    {"id": ${pyString(opt.id)}, "algorithm": ${pyString(String(p.algorithm))}, "lr": ${pyNumber(opt.learningRate)},`,
        `     "betas": (${pyNumber(Number(p.beta1))}, ${pyNumber(Number(p.beta2))}), "eps": ${pyNumber(Number(p.epsilon))}, "momentum": ${pyNumber(Number(p.momentum))},`,
        `     "steps_per_round": ${opt.stepsPerRound}, "clip": ${pyNumber(opt.weightClip)},`,
        `     "trains": [${opt.trains.map((t) => pyString(this.modulePath(t))).join(', ')}]},`,
      ].join('\n');
    });
    return [
      `"""Trains "${docText(this.doc.meta.title)}" as Latent Lab does: the same losses, optimizers, seed and batch size.`,
      '',
      'One process:   python train.py --data DIR --steps 1000 --out run',
      'Many:          torchrun --nproc_per_node 2 train.py --data DIR --steps 1000 --out run',
      '(DistributedDataParallel; CUDA when there is one, else gloo on the CPU; rank 0 writes.)',
      '',
      'It writes OUT/metrics.jsonl (one {"step": N, <term>: value, ...} line per step, with the',
      "graph's term names) and OUT as a Latent Lab run folder (graph.json, checkpoint/, run.json):",
      '`latent-lab train OUT --resume --data DIR` continues it, and the editor can open its bundle.',
      '"""',
      TRAIN_PY_IMPORTS,
      `SEED = ${this.plan.seed}`,
      `BATCH_SIZE = ${data.batchSize}`,
      this.dataPy(),
      '# In the order Latent Lab steps them each round.',
      'OPTIMIZERS = [',
      ...optimizers,
      ']',
      TRAIN_PY_BODY,
    ].join('\n');
  }

  /** train.py's DATA: where the Dataset reads its examples (datasets.py), their shape, classes and binarization. */
  private dataPy(): string {
    const spec = this.plan.dataSpec;
    const data = this.plan.data;
    const path = spec.source === 'idx' || spec.source === 'pngdir' ? spec.path : undefined;
    return [
      `DATA = {"source": ${pyString(spec.source)}, "shape": [${data.shape.join(', ')}], "classes": ${this.usesLabels() ? data.numClasses : 0}, "binarize": ${pyString(spec.binarize)},`,
      `        "path": ${path ? pyString(path) : 'None'}, "count": ${MIXTURE_COUNT}, "points": ${pyString(spec.points ?? '')}}`,
    ].join('\n');
  }

  /** Whether a node of a family (flows, diffusion) is in the graph: only then does the project hold that family's file. */
  private uses(family: Record<string, unknown>): boolean {
    return this.plan.nodes.some((n) => n.type in family);
  }

  /** The imports of the family files the expressions of losses.py and sample.py call. */
  private familyImports(): string[] {
    return [
      ...(this.uses(DIFFUSION_EMITTERS) ? ['from diffusion import forward_noising, label_dropout, noise_schedule, time_embedding'] : []),
      ...(this.uses(FLOW_EMITTERS)
        ? ['from flows import dequantize, flow_nll, flow_prior_log_prob, logit_transform, squeeze2x2, unsqueeze2x2']
        : []),
    ];
  }

  /**
   * sample.py, for the graphs Latent Lab samples by a chain rather than one pass: a diffusion
   * model (its denoiser and the sampler's settings) and a flow (its layers' inverses).
   */
  private samplePy(): string | null {
    const generate = this.plan.modes.generate;
    const diffusion = this.plan.diffusion;
    const flow = this.plan.flow;
    if (!generate || (!diffusion && !flow)) return null;
    const image = this.plan.data.kind === 'image';
    const out = [
      `"""Draws samples from "${docText(this.doc.meta.title)}" as Latent Lab does: ${diffusion ? `its Diffusion sampler (${diffusion.settings.method})` : 'prior draws run backwards through its flow'}.`,
      '',
      'python sample.py --weights run/checkpoint --n 16 --out samples',
      ...(diffusion ? ['(--method ddpm|ddim, --steps, --eta and --guidance change the sampler, without retraining)'] : []),
      '"""',
      'import argparse',
      'import math',
      'import os',
      'import struct',
      'import sys',
      'import zlib',
      '',
      'import numpy as np',
      'import torch',
      'import torch.nn.functional as F',
      '',
      ...(diffusion
        ? ['from diffusion import run_chain, schedule_betas', ...this.familyImports()]
        : ['from flows import dequantize_inverse, logit_transform_inverse, squeeze2x2, unsqueeze2x2']),
      'from latent_lab import LatentLabFileError, Noise, RecordedNoise, load_checkpoint',
      'from layers import draw_like, nhwc',
      'from model import WEIGHTS, Model',
      '',
      `SEED = ${this.plan.seed}`,
      `CLASSES = ${this.usesLabels() ? this.plan.data.numClasses : 0}`,
    ];
    if (diffusion) out.push(...this.diffusionSampling(diffusion, image));
    else out.push(...this.flowSampling(flow!, image));
    out.push(SAMPLE_PY_BODY);
    return out.join('\n');
  }

  private diffusionSampling(d: DiffusionPlan, image: boolean): string[] {
    const noising = this.plan.byId[d.noisy.node];
    const schedule = this.plan.byId[noising.inputs[noising.def.diffusionNoising!.schedule].node];
    const p = schedule.params as Record<string, number | string>;
    const float = (x: number) => (Number.isInteger(x) ? `${x}.0` : pyNumber(x));
    const s = d.settings;
    const used = new Set<string>(['x', 't', 'labels', 'unconditional', 'batch']);
    const vars = new Map<string, string>([
      [refKey(d.noisy), 'x'],
      [refKey(d.timestep), 't'],
    ]);
    const needed = upstreamOf(this.plan.byId, [d.prediction.node], 'generate', [noising.id]);
    const blank = (n: CompiledNode): string[] => {
      if (!d.condition || n.id !== d.condition.node) return [];
      const name = vars.get(refKey(d.condition))!;
      return [`    if unconditional:`, `        ${name} = torch.zeros_like(${name})`];
    };
    const lines = this.passLines(needed, vars, used, 'generate', blank);
    const shape = noising.outputShapes[d.noisy.port].slice(1);
    const layout = shape.length === 3 ? [shape[2], shape[0], shape[1]] : shape;
    return [
      '# The Diffusion sampler: a command-line flag of the same name overrides each.',
      `SETTINGS = {"method": ${pyString(s.method)}, "steps": ${s.steps}, "eta": ${float(s.eta)}, "guidance": ${float(s.guidance)}}`,
      `BETAS = schedule_betas(${pyString(String(p.kind))}, ${p.steps}, ${pyNumber(Number(p.betaStart))}, ${pyNumber(Number(p.betaEnd))}, ${pyNumber(Number(p.offset))})`,
      "# One example of x_t, in this project's layout.",
      `SHAPE = [${layout.join(', ')}]`,
      '',
      '',
      'def denoise(model, x, t, labels, unconditional):',
      `    """The denoiser's eps_hat at x_t and step t (standing in for Forward noising's outputs); unconditional: with "no class"."""`,
      '    batch = {"x": x, "y": labels, "size": x.shape[0]}',
      ...lines,
      `    return ${vars.get(refKey(d.prediction))}`,
      '',
      '',
      'def generate(model, n, labels, draw, settings):',
      '    """n samples by the chain from x_T ~ N(0, I), in this project\'s layout."""',
      ...(d.condition
        ? []
        : [
            '    if settings["guidance"] > 0:',
            '        raise SystemExit("guidance needs a conditional model trained with a Label dropout; use --guidance 0")',
          ]),
      '    denoiser = lambda x, t, unconditional: denoise(model, x, t, labels, unconditional)',
      `    clip = ${image ? '(0.0, 1.0)' : 'None'}`,
      '    x = run_chain(denoiser, [n] + SHAPE, BETAS, settings["method"], settings["steps"], settings["eta"], settings["guidance"], clip, draw)',
      `    return ${image ? 'x.clamp(0, 1)' : 'x'}`,
      '',
    ];
  }

  private flowSampling(flow: FlowPlan, image: boolean): string[] {
    const code = this.plan.byId[flow.z.node].outputShapes[flow.z.port].slice(1);
    const layout = code.length === 3 ? [code[2], code[0], code[1]] : code;
    const steps = [...flow.chain].reverse().map((id) => {
      const n = this.plan.byId[id];
      const module = n.def.trainable ? `model.${this.modulePath(n.weightOwner)}` : '';
      return `    h = ${emitterFor(n).inverse!(n, 'h', module)}  # ${id.replace(/[\r\n]+/g, ' ')}`;
    });
    return [
      'SETTINGS = {}',
      "# One code z (what the Flow prior scores), in this project's layout.",
      `CODE = [${layout.join(', ')}]`,
      '',
      '',
      'def generate(model, n, labels, draw, settings):',
      '    """Prior draws z ~ N(0, I) through every flow layer\'s inverse, last layer first."""',
      '    h = draw_like(draw, "normal", torch.empty([n] + CODE))',
      ...steps,
      `    return ${image ? 'h.clamp(0, 1)' : 'h'}`,
      '',
    ];
  }

  /** Whether training reads labels (a Label node): only then must the data have them. */
  private usesLabels(): boolean {
    return this.plan.nodes.some((n) => !!n.def.label);
  }

  files(checkpoint?: CarriedCheckpoint): ExportedProject {
    const files: ExportedProject['files'] = {
      'model.py': this.modelPy(),
      'losses.py': this.lossesPy(),
      'train.py': this.trainPy(),
      'layers.py': LAYERS_PY,
      'latent_lab.py': LATENT_LAB_PY,
      'requirements.txt': `torch>=1.13\nnumpy\n${GENERATED_SOURCES.includes(this.plan.dataSpec.source) ? '' : 'pillow  # image folders (--data DIR of PNGs) only\n'}`,
      'datasets.py': DATASETS_PY,
      'graph.json': JSON.stringify(this.doc, null, 2) + '\n',
    };
    if (this.uses(FLOW_EMITTERS)) files['flows.py'] = FLOWS_PY;
    if (this.uses(DIFFUSION_EMITTERS)) files['diffusion.py'] = DIFFUSION_PY;
    const sample = this.samplePy();
    if (sample) files['sample.py'] = sample;
    files['README.md'] = readme(this.doc, this.plan, checkpoint?.step ?? null, Object.keys(files));
    if (checkpoint) {
      files['weights/checkpoint.json'] = checkpoint.checkpointJson;
      files['weights/weights.bin'] = checkpoint.weightsBin;
    }
    return { files };
  }
}
