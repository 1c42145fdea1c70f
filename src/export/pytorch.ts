/**
 * A compiled plan as a standalone PyTorch project: model.py (one nn.Module per
 * block and a Model holding every layer with weights, named after the graph's
 * nodes), losses.py (each optimizer's objective, node by node), train.py (the
 * plan's optimizers, steps per round, seed and batch size), layers.py and
 * latent_lab.py (exact layers; our checkpoint and data formats), README.md.
 * Pure: it returns the files, the caller writes them.
 */
import type { CompiledNode, Plan, PortRef } from '../compiler/plan';
import { inputsRead, upstreamOf } from '../compiler/upstream';
import type { GraphDocument } from '../graph/document';
import { emitterFor, type TensorMapping } from './emitters';
import { ExportError } from './errors';
import { className, comment, docText, identifier, pyNumber, pyString } from './names';
import { LAYERS_PY, LOSS_FUNCTIONS_PY } from './pythonLayers';
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

/** Data sources train.py can read: MNIST-format IDX files (the embedded digits are MNIST's). */
const LOADABLE_SOURCES = ['mnist', 'idx'];

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
        `node "${dataset.docId}" reads the ${this.plan.dataSpec.source} source, which train.py cannot load yet (it reads MNIST-format IDX files)`,
        'switch the Dataset to mnist or idx files to export this graph',
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
    const classUsed = new Set(['Model', 'BatchNorm', 'MaskedConv2d']);
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
  ): string[] {
    const lines: string[] = [];
    for (const n of nodes) {
      const inputs: Record<string, string> = {};
      for (const port of inputsRead(n, 'train')) inputs[port] = vars.get(refKey(n.inputs[port]))!;
      const outputs = emitterFor(n).forward(n, inputs, n.def.trainable ? moduleOf(n) : '');
      const label = this.docNodes.get(n.docId)?.label;
      if (label && n.id === n.docId) lines.push(indent + comment(label));
      for (const [port, expr] of Object.entries(outputs)) {
        const name = identifier(`${n.id}_${port}`, used);
        vars.set(refKey({ node: n.id, port }), name);
        lines.push(`${indent}${name} = ${expr}`);
      }
    }
    return lines;
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
      const called = new Set<string>();
      for (const n of this.plan.nodes) {
        if (!needed.has(n.id) || n.def.optimizer) continue;
        if (n.id === n.docId) {
          out.push(...this.forwardLines([n], vars, used, (m) => `model.${this.modulePath(m.weightOwner)}`, '    '));
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
      `DATA = {"source": ${pyString(this.plan.dataSpec.source)}, "shape": [${data.shape.join(', ')}], "classes": ${this.usesLabels() ? data.numClasses : 0}, "binarize": ${pyString(this.plan.dataSpec.binarize)}}`,
      '# In the order Latent Lab steps them each round.',
      'OPTIMIZERS = [',
      ...optimizers,
      ']',
      TRAIN_PY_BODY,
    ].join('\n');
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
      'requirements.txt': 'torch>=1.13\nnumpy\n',
      'graph.json': JSON.stringify(this.doc, null, 2) + '\n',
      'README.md': readme(this.doc, this.plan, checkpoint?.step ?? null),
    };
    if (checkpoint) {
      files['weights/checkpoint.json'] = checkpoint.checkpointJson;
      files['weights/weights.bin'] = checkpoint.weightsBin;
    }
    return { files };
  }
}
