/**
 * Document + registry → shapes on every port, errors as data, and (when the
 * graph is valid) a plan the runtime can build. Pure TypeScript; never throws
 * on a bad document.
 */
import type { GraphDocument, GraphNode } from '../graph/document';
import {
  isFailure,
  type AnyNodeDef,
  type DataInfo,
  type DataProblem,
  type DataSourceSpec,
  type MeasuredData,
  type InferContext,
  type LayerNodeDef,
  type Mode,
} from '../graph/nodeApi';
import { activePortsOf, inactivePortProblem, kindHint, portMismatch, sharedSourceProblem } from '../graph/ports';
import { idListParam, numberParam, resolveParams, type AnyParamValues } from '../graph/params';
import { BATCH, exampleSize, formatShape, sameShape, type Shape } from '../graph/shape';
import type { GraphError } from './errors';
import { placeShapeError } from './fixes';
import { expansionOf } from './blocks';
import { modelKeyOf } from './modelKey';
import { criticOf, docPortKey, lossOutputsOf, lossUnitsOf, planModes, posteriorOf, previewableOf, type FlatGraph } from './modes';
import { linkDiffusion } from './diffusion';
import { linkFlow } from './flow';
import type { CompiledNode, DiffusionPlan, FlowPlan, OptimizerPlan, Plan, PortRef } from './plan';
import { findCycle, topoOrder } from './topo';
import { upstreamOf } from './upstream';

export type Registry = Record<string, AnyNodeDef>;

/** Shapes per document node, for edges and handles in the editor. */
export interface DocShapes {
  inputs: Record<string, Shape>;
  outputs: Record<string, Shape>;
}

export interface CompileResult {
  errors: GraphError[];
  shapes: Record<string, DocShapes>;
  /** Trainable values per document node (blocks: their layers summed). */
  paramCounts: Record<string, number>;
  /** Per optimizer (document id): the document nodes it trains. */
  trainedBy: Record<string, string[]>;
  data: DataInfo | null;
  /** Where the data comes from, known even when the graph has errors (the runtime reads it to measure it). */
  dataSpec: DataSourceSpec | null;
  plan: Plan | null;
}

/**
 * What is known about the data a spec names: what its files hold (read by the
 * CLI, the worker or the page's store of uploaded sets), why it cannot be read
 * here, or nothing beyond the source's fixed description.
 */
export type DataLookup = (spec: DataSourceSpec) => MeasuredData | DataProblem | undefined;

export interface CompileOptions {
  data?: DataLookup;
}

/** Refuse graphs that could not fit a browser tab before anything is allocated. */
export const MAX_PARAMS = 50_000_000;
export const MAX_MEMORY_BYTES = 3 * 1024 ** 3;

export function compile(doc: GraphDocument, registry: Registry, options: CompileOptions = {}): CompileResult {
  return new Compiler(doc, registry, options).run();
}

function isProblem(found: MeasuredData | DataProblem): found is DataProblem {
  return 'problem' in found;
}

class Compiler {
  private errors: GraphError[] = [];
  private shapes: Record<string, DocShapes> = {};
  private flat: CompiledNode[] = [];
  private flatById: Record<string, CompiledNode> = {};
  /** Document (node, output port) → the flat port that produces it. */
  private docOutputs = new Map<string, PortRef>();
  private params: Record<string, AnyParamValues> = {};
  private data: DataInfo | null = null;
  private datasetNode: string | null = null;
  private dataSpec: DataSourceSpec | null = null;

  constructor(
    private doc: GraphDocument,
    private registry: Registry,
    private options: CompileOptions,
  ) {}

  private error(e: Omit<GraphError, 'severity'>, severity: GraphError['severity'] = 'error') {
    this.errors.push({ ...e, severity });
  }

  run(): CompileResult {
    const nodes = this.checkNodes();
    const incoming = this.checkEdges(nodes);
    const order = this.orderOrReportCycle(nodes, incoming);
    this.findDataset(nodes);
    const ctx: InferContext = { data: this.data };
    for (const node of order) this.inferNode(node, nodes, incoming, ctx);
    const fixContext = { doc: this.doc, registry: this.registry, params: this.params, shapes: this.shapes, infer: ctx };
    this.errors = this.errors.map((e) => placeShapeError(e, fixContext));
    const flow = this.linkFlow();
    const diffusion = this.linkDiffusion();
    const optimizers = this.planOptimizers(nodes);
    const plan =
      this.errors.some((e) => e.severity === 'error') || !this.data || !this.datasetNode
        ? null
        : this.finishPlan(optimizers, flow, diffusion);
    return {
      errors: this.errors,
      shapes: this.shapes,
      paramCounts: this.docParamCounts(),
      trainedBy: Object.fromEntries(optimizers.map((o) => [o.id, o.trainsDocIds])),
      data: this.data,
      dataSpec: this.dataSpec,
      plan,
    };
  }

  /** Known types, unique ids, valid parameters. */
  private checkNodes(): Map<string, GraphNode> {
    const nodes = new Map<string, GraphNode>();
    for (const node of this.doc.nodes) {
      if (nodes.has(node.id)) {
        this.error({
          code: 'duplicate-id',
          nodeId: node.id,
          message: `two nodes have the id "${node.id}"`,
          hint: 'give each node its own id',
        });
        continue;
      }
      nodes.set(node.id, node);
      const def = this.registry[node.type];
      if (!def) {
        this.error({
          code: 'unknown-type',
          nodeId: node.id,
          message: `unknown node type "${node.type}"`,
          hint: 'delete the node or update Latent Lab',
        });
        continue;
      }
      const { values, problems } = resolveParams(def.params, node.params);
      for (const p of problems) this.error({ code: 'bad-param', nodeId: node.id, param: p.param, message: p.message, hint: p.hint });
      this.params[node.id] = values;
    }
    for (const node of nodes.values()) {
      if (!node.sharesWeightsWith) continue;
      const owner = nodes.get(node.sharesWeightsWith);
      if (!owner)
        this.error({
          code: 'bad-share',
          nodeId: node.id,
          message: `shares weights with "${node.sharesWeightsWith}", which does not exist`,
          hint: 'pick an existing node or stop sharing',
        });
      else if (owner.type !== node.type)
        this.error({
          code: 'bad-share',
          nodeId: node.id,
          message: `a ${node.type} cannot share weights with a ${owner.type}`,
          hint: 'share only between nodes of one type',
        });
      else if (owner.sharesWeightsWith)
        this.error({
          code: 'bad-share',
          nodeId: node.id,
          message: `"${owner.id}" itself shares weights; share with "${owner.sharesWeightsWith}" instead`,
        });
      else if (this.params[owner.id]) this.params[node.id] = this.params[owner.id];
    }
    return nodes;
  }

  /** Edges must join existing ports of matching type, one edge per input. */
  private checkEdges(nodes: Map<string, GraphNode>): Map<string, Map<string, { node: string; port: string }>> {
    const incoming = new Map<string, Map<string, { node: string; port: string }>>();
    for (const edge of this.doc.edges) {
      const src = nodes.get(edge.source);
      const dst = nodes.get(edge.target);
      if (!src || !dst) {
        const missing = !src ? edge.source : edge.target;
        this.error({
          code: 'bad-edge',
          edgeId: edge.id,
          nodeId: src ? src.id : dst?.id,
          message: `edge ${edge.id} points to a missing node "${missing}"`,
          hint: 'delete the edge',
        });
        continue;
      }
      const srcDef = this.registry[src.type];
      const dstDef = this.registry[dst.type];
      if (!srcDef || !dstDef) continue;
      const out = srcDef.outputs[edge.sourcePort];
      const inp = dstDef.inputs[edge.targetPort];
      if (!out || !inp) {
        const [n, p, side] = !out ? [src, edge.sourcePort, 'output'] : [dst, edge.targetPort, 'input'];
        const names = Object.keys(!out ? srcDef.outputs : dstDef.inputs).join(', ') || 'none';
        this.error({
          code: 'bad-edge',
          edgeId: edge.id,
          nodeId: n.id,
          port: p,
          message: `${n.type} has no ${side} "${p}"`,
          hint: `its ${side}s are: ${names}`,
        });
        continue;
      }
      // Kept in the document (a parameter change must not silently delete it), but an error on the edge.
      const srcOff = inactivePortProblem(srcDef, this.params[src.id], 'outputs', edge.sourcePort);
      const dstOff = inactivePortProblem(dstDef, this.params[dst.id], 'inputs', edge.targetPort);
      // An edge from a missing output still connects its target, which stays quiet: this error says why it gets nothing.
      if (srcOff) this.error({ code: 'inactive-port', edgeId: edge.id, nodeId: src.id, port: edge.sourcePort, ...srcOff });
      if (dstOff) {
        this.error({ code: 'inactive-port', edgeId: edge.id, nodeId: dst.id, port: edge.targetPort, ...dstOff });
        continue; // the node ignores an input it does not have
      }
      const mismatch = portMismatch(out, `${src.id}.${edge.sourcePort}`, inp, edge.targetPort);
      if (mismatch) {
        this.error({ code: 'port-type', edgeId: edge.id, nodeId: dst.id, port: edge.targetPort, message: mismatch, hint: kindHint(inp) });
        continue;
      }
      let ports = incoming.get(dst.id);
      if (!ports) incoming.set(dst.id, (ports = new Map()));
      const fedBy = Object.fromEntries([...ports].map(([p, r]) => [p, `${r.node}.${r.port}`]));
      const shared = sharedSourceProblem(dstDef, edge.targetPort, fedBy, `${src.id}.${edge.sourcePort}`);
      if (shared) {
        this.error({ code: 'port-type', edgeId: edge.id, nodeId: dst.id, port: edge.targetPort, message: shared, hint: kindHint(inp) });
        continue;
      }
      if (ports.has(edge.targetPort)) {
        this.error({
          code: 'duplicate-input',
          edgeId: edge.id,
          nodeId: dst.id,
          port: edge.targetPort,
          message: `input ${edge.targetPort} has more than one edge`,
          hint: 'an input takes one edge; use Concat or Weighted sum to combine',
        });
        continue;
      }
      ports.set(edge.targetPort, { node: src.id, port: edge.sourcePort });
    }
    return incoming;
  }

  private orderOrReportCycle(nodes: Map<string, GraphNode>, incoming: Map<string, Map<string, PortRef>>): GraphNode[] {
    const deps = new Map<string, string[]>();
    for (const id of nodes.keys())
      deps.set(
        id,
        [...(incoming.get(id)?.values() ?? [])].map((r) => r.node),
      );
    const { order, stuck } = topoOrder([...nodes.keys()], deps);
    if (stuck.length > 0) {
      const cycle = findCycle(stuck, deps);
      const names = cycle.map((id) => nodes.get(id)?.label || id);
      for (const id of cycle)
        this.error({
          code: 'cycle',
          nodeId: id,
          message: `data flows in a loop: ${[...names, names[0]].join(' → ')}`,
          hint: 'remove one edge of the loop',
        });
    }
    return order.map((id) => nodes.get(id)!);
  }

  private findDataset(nodes: Map<string, GraphNode>) {
    const datasets = [...nodes.values()].filter((n) => this.registry[n.type]?.dataset);
    if (datasets.length === 0) {
      if (nodes.size > 0)
        this.error({
          code: 'no-dataset',
          message: 'the graph has no Dataset node',
          hint: 'add a Dataset from the palette (category data)',
        });
      return;
    }
    for (const extra of datasets.slice(1))
      this.error({
        code: 'two-datasets',
        nodeId: extra.id,
        message: 'a graph trains on one Dataset; this is a second one',
        hint: `delete it and connect ${datasets[0].id} instead`,
      });
    const cap = this.registry[datasets[0].type].dataset;
    const params = this.params[datasets[0].id];
    if (!cap || !params) return;
    const node = datasets[0].id;
    this.dataSpec = cap.spec(params);
    this.datasetNode = node;
    const assumed = cap.info(params);
    const found = this.options.data?.(this.dataSpec);
    // Unreadable data still lets shapes be inferred from the source's description; the error stops the plan.
    if (found && isProblem(found))
      this.error({ code: 'data-unavailable', nodeId: node, param: found.param, message: found.problem, hint: found.hint });
    this.data =
      found && !isProblem(found)
        ? { ...assumed, kind: found.kind, shape: found.shape, numClasses: found.numClasses, measured: found }
        : assumed;
  }

  /** Infers one document node: a layer directly, a block through its expansion. */
  private inferNode(node: GraphNode, nodes: Map<string, GraphNode>, incoming: Map<string, Map<string, PortRef>>, ctx: InferContext) {
    const def = this.registry[node.type];
    const params = this.params[node.id];
    if (!def || !params) return;
    const inputShapes: Record<string, Shape> = {};
    const inputRefs: Record<string, PortRef> = {};
    let ready = true;
    const active = activePortsOf(def, params).inputs;
    for (const [port, decl] of Object.entries(def.inputs)) {
      if (!active.includes(port)) continue;
      const src = incoming.get(node.id)?.get(port);
      if (!src) {
        if (!decl.optional) {
          this.error({
            code: 'missing-input',
            nodeId: node.id,
            port,
            message: `input ${port} is not connected`,
            hint: `connect something to ${port}: ${decl.doc}`,
          });
          ready = false;
        }
        continue;
      }
      const ref = this.docOutputs.get(docPortKey(src.node, src.port));
      const shape = ref && this.flatById[ref.node]?.outputShapes[ref.port];
      if (!ref || !shape) {
        ready = false; // upstream already failed; its error says why
        continue;
      }
      inputShapes[port] = shape;
      inputRefs[port] = ref;
    }
    this.shapes[node.id] = { inputs: inputShapes, outputs: {} };
    if (!ready) return;
    const owner = node.sharesWeightsWith && nodes.has(node.sharesWeightsWith) ? node.sharesWeightsWith : node.id;
    if (owner !== node.id) {
      const ownerShapes = this.shapes[owner]?.inputs;
      if (!ownerShapes) {
        this.error({
          code: 'bad-share',
          nodeId: node.id,
          message: `shares weights with "${owner}", which must come earlier in the data flow`,
          hint: `make ${owner} the node that owns the weights`,
        });
        return;
      }
      for (const [port, shape] of Object.entries(inputShapes)) {
        const theirs = ownerShapes[port];
        if (theirs && !sameShape(theirs, shape))
          this.error({
            code: 'bad-share',
            nodeId: node.id,
            port,
            message: `shares weights with ${owner}, whose ${port} is ${formatShape(theirs)}, but this one gets ${formatShape(shape)}`,
            hint: 'shared weights need the same input shapes',
          });
      }
    }
    if (def.kind === 'layer') {
      const out = this.addLayer(node.id, node.id, def, params, inputRefs, inputShapes, owner, ctx);
      if (out) for (const port of Object.keys(def.outputs)) this.docOutputs.set(docPortKey(node.id, port), { node: node.id, port });
      this.shapes[node.id].outputs = out ?? {};
      return;
    }
    this.inferBlock(node, def, params, inputRefs, inputShapes, owner, ctx);
  }

  private inferBlock(
    node: GraphNode,
    def: Extract<AnyNodeDef, { kind: 'block' }>,
    params: AnyParamValues,
    inputRefs: Record<string, PortRef>,
    inputShapes: Record<string, Shape>,
    owner: string,
    ctx: InferContext,
  ) {
    let expansion;
    try {
      expansion = expansionOf(this.doc, node, def, params, inputShapes);
    } catch (e) {
      this.error({ code: 'shape', nodeId: node.id, message: `cannot expand: ${(e as Error).message}` });
      return;
    }
    const innerIncoming = new Map<string, Record<string, PortRef>>();
    for (const [port, targets] of Object.entries(expansion.inputs))
      for (const t of targets)
        if (inputRefs[port]) (innerIncoming.get(t.node) ?? innerIncoming.set(t.node, {}).get(t.node)!)[t.port] = inputRefs[port];
    for (const e of expansion.edges)
      (innerIncoming.get(e.target) ?? innerIncoming.set(e.target, {}).get(e.target)!)[e.targetPort] = {
        node: `${node.id}/${e.source}`,
        port: e.sourcePort,
      };
    // Expansions list their layers in data-flow order.
    for (const inner of expansion.nodes) {
      const innerDef = this.registry[inner.type];
      if (!innerDef || innerDef.kind !== 'layer') {
        this.error({ code: 'unknown-type', nodeId: node.id, message: `expands to unknown layer type "${inner.type}"` });
        return;
      }
      const { values, problems } = resolveParams(innerDef.params, inner.params);
      for (const p of problems)
        this.error({ code: 'bad-param', nodeId: node.id, param: p.param, message: `${inner.id}: ${p.message}`, hint: p.hint });
      const refs = innerIncoming.get(inner.id) ?? {};
      const shapes: Record<string, Shape> = {};
      for (const [port, ref] of Object.entries(refs)) {
        const s = this.flatById[ref.node]?.outputShapes[ref.port];
        if (!s) return;
        shapes[port] = s;
      }
      const flatId = `${node.id}/${inner.id}`;
      const out = this.addLayer(flatId, node.id, innerDef, values, refs, shapes, `${owner}/${inner.id}`, ctx);
      if (!out) return;
    }
    const outputs: Record<string, Shape> = {};
    for (const [port, ref] of Object.entries(expansion.outputs)) {
      const flatRef = { node: `${node.id}/${ref.node}`, port: ref.port };
      const s = this.flatById[flatRef.node]?.outputShapes[flatRef.port];
      if (!s) continue;
      outputs[port] = s;
      this.docOutputs.set(docPortKey(node.id, port), flatRef);
    }
    this.shapes[node.id].outputs = outputs;
  }

  private addLayer(
    id: string,
    docId: string,
    def: LayerNodeDef,
    params: AnyParamValues,
    inputs: Record<string, PortRef>,
    inputShapes: Record<string, Shape>,
    weightOwner: string,
    ctx: InferContext,
  ): Record<string, Shape> | null {
    let result;
    try {
      result = def.inferShapes(inputShapes, params, ctx);
    } catch (e) {
      this.error({ code: 'shape', nodeId: docId, message: `shape inference failed: ${(e as Error).message}` });
      return null;
    }
    if (isFailure(result)) {
      const inner = id === docId ? '' : `${id.slice(docId.length + 1)}: `;
      this.error({
        code: 'shape',
        nodeId: docId,
        port: id === docId ? result.failure.port : undefined,
        message: inner + result.failure.message,
        hint: result.failure.hint,
      });
      return null;
    }
    const paramCount = def.countParams ? def.countParams(inputShapes, params) : 0;
    const node: CompiledNode = {
      id,
      docId,
      type: def.type,
      def,
      params,
      inputs,
      inputShapes,
      outputShapes: result,
      weightOwner,
      paramCount,
    };
    this.flat.push(node);
    this.flatById[id] = node;
    return result;
  }

  private linkFlow(): FlowPlan | null {
    if (!this.datasetNode) return null;
    const { flow, errors } = linkFlow(this.flat, this.flatById, this.datasetNode);
    for (const { severity, ...e } of errors) this.error(e, severity);
    return flow;
  }

  private linkDiffusion(): DiffusionPlan | null {
    if (!this.datasetNode) return null;
    const { diffusion, errors } = linkDiffusion(this.flat, this.flatById, this.datasetNode);
    for (const { severity, ...e } of errors) this.error(e, severity);
    return diffusion;
  }

  private upstream(start: string[], mode: Mode): Set<string> {
    return upstreamOf(this.flatById, start, mode);
  }

  private planOptimizers(nodes: Map<string, GraphNode>): OptimizerPlan[] {
    const optimizers = this.flat.filter((n) => n.def.optimizer);
    const plans: OptimizerPlan[] = [];
    const trainedBy = new Map<string, string>();
    for (const opt of optimizers) {
      const cap = opt.def.optimizer!;
      const loss = opt.inputs[cap.lossPort];
      if (!loss) continue;
      const up = this.upstream([loss.node], 'train');
      const trainableUp = [...up].filter((id) => this.flatById[id]?.def.trainable).map((id) => this.flatById[id].weightOwner);
      const refs = idListParam(opt.params, cap.trains);
      let trains: string[];
      if (refs.length === 0) trains = [...new Set(trainableUp)];
      else {
        trains = [];
        for (const ref of refs) {
          if (!nodes.has(ref)) {
            this.error({
              code: 'bad-ref',
              nodeId: opt.docId,
              param: cap.trains,
              message: `trains "${ref}", which is not in the graph`,
              hint: 'pick the networks again in the inspector',
            });
            continue;
          }
          const owned = this.flat.filter((n) => n.docId === ref && n.def.trainable).map((n) => n.weightOwner);
          if (owned.length === 0)
            this.error({ code: 'bad-ref', nodeId: opt.docId, param: cap.trains, message: `"${ref}" has no weights to train` });
          trains.push(...owned);
        }
        trains = [...new Set(trains)];
      }
      if (trains.length === 0 && refs.length === 0)
        this.error({
          code: 'nothing-to-train',
          nodeId: opt.docId,
          message: 'nothing upstream of this loss has weights',
          hint: 'connect the loss of a network with Dense or convolution layers',
        });
      for (const t of trains) {
        const other = trainedBy.get(t);
        if (other && other !== opt.docId) {
          const docId = this.flatById[t]?.docId ?? t;
          this.error({
            code: 'two-optimizers',
            nodeId: docId,
            message: `trained by two optimizers (${other} and ${opt.docId})`,
            hint: `list it in only one optimizer's "trains"`,
          });
        } else trainedBy.set(t, opt.docId);
      }
      const terms = this.flat.filter((n) => up.has(n.id) && n.def.loss).map((n) => n.id);
      plans.push({
        id: opt.id,
        loss,
        trains,
        trainsDocIds: [...new Set(trains.map((t) => this.flatById[t]?.docId ?? t))],
        stepsPerRound: numberParam(opt.params, cap.stepsPerRound),
        learningRate: numberParam(opt.params, cap.learningRate),
        weightClip: cap.clipWeights ? numberParam(opt.params, cap.clipWeights) : 0,
        terms,
      });
    }
    this.checkLossesAndFrozen(plans, trainedBy);
    const hasOptimizer = [...nodes.values()].some((n) => this.registry[n.type]?.optimizer);
    if (!hasOptimizer && nodes.size > 0)
      this.error({
        code: 'nothing-to-train',
        message: 'the graph has no Optimizer, so nothing trains',
        hint: 'add an Optimizer (category training) and connect a loss to it',
      });
    return plans;
  }

  private checkLossesAndFrozen(plans: OptimizerPlan[], trainedBy: Map<string, string>) {
    const reached = this.upstream(
      plans.map((p) => p.loss.node),
      'train',
    );
    const reported = new Set<string>();
    for (const n of this.flat) {
      if (n.def.loss && !reached.has(n.id) && !reported.has(n.docId)) {
        reported.add(n.docId);
        this.error({
          code: 'loss-unused',
          nodeId: n.docId,
          message: 'this loss reaches no optimizer, so it trains nothing',
          hint: 'connect its output to an Optimizer or a Weighted sum',
        });
      }
    }
    const frozen = new Set<string>();
    for (const n of this.flat) if (n.def.trainable && reached.has(n.id) && !trainedBy.has(n.weightOwner)) frozen.add(n.docId);
    for (const docId of frozen)
      this.error(
        {
          code: 'frozen',
          nodeId: docId,
          message: 'no optimizer trains this network: its weights stay frozen at their initial values',
          hint: "add it to an optimizer's trains list",
        },
        'warning',
      );
  }

  private docParamCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const n of this.flat)
      if (n.weightOwner === n.id || n.weightOwner.startsWith(`${n.docId}/`)) counts[n.docId] = (counts[n.docId] ?? 0) + n.paramCount;
    return counts;
  }

  private finishPlan(optimizers: OptimizerPlan[], flow: FlowPlan | null, diffusion: DiffusionPlan | null): Plan | null {
    const data = this.data!;
    let paramCount = 0;
    let activations = 0;
    let biggest: CompiledNode | null = null;
    for (const n of this.flat) {
      if (n.weightOwner === n.id) paramCount += n.paramCount;
      if (!biggest || n.paramCount > biggest.paramCount) biggest = n;
      for (const s of Object.values(n.outputShapes)) activations += exampleSize(s) * (s[0] === BATCH ? data.batchSize : 1);
    }
    // Weights, gradients and two Adam moments; activations kept for the backward pass, twice for safety.
    const memoryBytes = 4 * (paramCount * 4 + activations * 2);
    if (paramCount > MAX_PARAMS || memoryBytes > MAX_MEMORY_BYTES) {
      this.error({
        code: 'too-large',
        nodeId: biggest?.docId,
        message: `the graph needs about ${(paramCount / 1e6).toFixed(1)} M weights and ${(memoryBytes / 1024 ** 3).toFixed(1)} GiB; the limit is ${MAX_PARAMS / 1e6} M weights and ${MAX_MEMORY_BYTES / 1024 ** 3} GiB`,
        hint: 'use fewer units or channels, or a smaller batch',
      });
      return null;
    }
    const graph: FlatGraph = {
      doc: this.doc,
      registry: this.registry,
      flat: this.flat,
      byId: this.flatById,
      docOutputs: this.docOutputs,
      data,
      datasetNode: this.datasetNode!,
    };
    const posterior = posteriorOf(graph);
    const lossNames: Record<string, string> = {};
    for (const o of optimizers) for (const t of o.terms) lossNames[t] = this.nameOf(t);
    return {
      nodes: this.flat,
      byId: this.flatById,
      data,
      datasetNode: this.datasetNode!,
      dataSpec: this.dataSpec!,
      modelKey: modelKeyOf(this.doc),
      optimizers,
      lossNames,
      lossOutputs: lossOutputsOf(optimizers, this.flatById),
      lossUnits: lossUnitsOf(optimizers, this.flatById),
      posterior,
      flow,
      diffusion,
      critic: criticOf(graph),
      previewable: previewableOf(this.flat),
      modes: planModes(graph, optimizers, posterior, flow, diffusion),
      paramCount,
      memoryBytes,
      seed: this.doc.meta.seed,
    };
  }

  private nameOf(flatId: string): string {
    const n = this.flatById[flatId];
    const docNode = this.doc.nodes.find((d) => d.id === n.docId);
    const base = docNode?.label || n.docId;
    return flatId === n.docId ? base : `${base}/${flatId.slice(n.docId.length + 1)}`;
  }
}
