/**
 * The normalizing-flow nodes against the mathematics they claim: each layer's
 * log-determinant equals log |det J| of its Jacobian (built with gradients,
 * its determinant taken in float64), each inverse undoes its forward, and the
 * flow prior and loss give the change-of-variables likelihood.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { registry } from '../../nodes/index';
import { BIN_MARGIN } from '../../nodes/dequantize';
import { FLOW_LOG_DET_INPUT, isFailure, type BuiltNode, type LayerNodeDef, type Tensor } from '../../src/graph/nodeApi';
import { BATCH, type Shape } from '../../src/graph/shape';
import { buildLayer, callContext, paramsFor, tf } from './harness';
import { resolveParams } from '../../src/graph/params';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const evaluating = () => callContext({ mode: 'evaluate', training: false, batchSize: 2 });

function layer(type: string, params: Record<string, unknown>, inputShapes: Record<string, Shape>) {
  const def = registry[type] as LayerNodeDef;
  return buildLayer(def, paramsFor(def, params), inputShapes);
}

/** The inverse, which every flow layer must have. */
function inverseOf(built: BuiltNode) {
  const inverse = built.inverse;
  if (!inverse) throw new Error('a flow layer without inverse');
  return inverse;
}

/** log |det a| of a square matrix by LU decomposition with partial pivoting, in float64. */
function logAbsDet(rows: number[][]): number {
  const a = rows.map((r) => Float64Array.from(r));
  const n = a.length;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    let pivot = k;
    for (let r = k + 1; r < n; r++) if (Math.abs(a[r][k]) > Math.abs(a[pivot][k])) pivot = r;
    [a[k], a[pivot]] = [a[pivot], a[k]];
    if (a[k][k] === 0) return -Infinity;
    sum += Math.log(Math.abs(a[k][k]));
    for (let r = k + 1; r < n; r++) {
      const factor = a[r][k] / a[k][k];
      for (let c = k; c < n; c++) a[r][c] -= factor * a[k][c];
    }
  }
  return sum;
}

/** ∂y/∂x of one example (x is 1×…), row i the gradient of output value i: one vector-Jacobian product per row. */
function jacobian(f: (x: Tensor) => Tensor, x: Tensor): number[][] {
  const outShape = tf.tidy(() => f(x).shape);
  const n = outShape.reduce((a, b) => a * b, 1);
  const vjp = tf.grad(f);
  return Array.from({ length: n }, (_, i) =>
    tf.tidy(() =>
      Array.from(
        vjp(
          x,
          tf
            .oneHot(tf.tensor1d([i], 'int32'), n)
            .toFloat()
            .reshape(outShape),
        ).dataSync(),
      ),
    ),
  );
}

/** |a − b| within 1e-3 of |b|, or within 1e-4 when b is near 0. */
function closeRelative(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(1e-3 * Math.abs(b), 1e-4);
}

type Variables = Map<string, tf.Variable>;
let seed = 100;
const randomize = (variables: Variables, name: string, make: (shape: number[]) => Tensor) => {
  const v = variables.get(name)!;
  v.assign(make(v.shape));
};
const normal =
  (sd: number, mean = 0) =>
  (shape: number[]) =>
    tf.randomNormal(shape, mean, sd, 'float32', seed++);

interface FlowCase {
  type: string;
  params?: Record<string, unknown>;
  /** one example's shape */
  example: number[];
  /** two examples to test at */
  inputs: () => Tensor;
  /** brings the layer to a state with non-trivial weights */
  prepare?: (variables: Variables, built: BuiltNode) => void;
  /** the log-determinant is 0 whatever the weights (the layer only moves values) */
  volumePreserving?: boolean;
}

/** The coupling's last layer starts at zero (the identity); random values make s and t non-trivial. */
const randomizeCoupling = (variables: Variables) => {
  randomize(variables, 'outKernel', normal(0.4));
  randomize(variables, 'outBias', normal(0.4));
  randomize(variables, 'scale', normal(0.3, 1));
};

const couplingCases: FlowCase[] = (['checkerboard', 'channel'] as const).flatMap((mask) =>
  [false, true].flatMap((flip) =>
    [[6], [4, 4, 2]].map((example, i) => ({
      type: 'affineCoupling',
      params: { mask, flip, hidden: [8, 8], activation: i === 0 ? 'tanh' : 'leakyRelu' },
      example,
      inputs: () => tf.randomNormal([2, ...example], 0, 1, 'float32', seed++),
      prepare: randomizeCoupling,
    })),
  ),
);

/** A training step on a batch with per-channel means 2, −1, … and standard deviations 3, 0.5, … initialises ActNorm. */
const initActNorm = (built: BuiltNode, example: number[]) => {
  const channels = example[example.length - 1];
  const spread = tf.tensor1d(Array.from({ length: channels }, (_, c) => [3, 0.5, 1.7][c % 3]));
  const centre = tf.tensor1d(Array.from({ length: channels }, (_, c) => [2, -1, 0.3][c % 3]));
  built.forward(
    {
      x: tf
        .randomNormal([16, ...example], 0, 1, 'float32', seed++)
        .mul(spread)
        .add(centre),
    },
    callContext({ batchSize: 16 }),
  );
};

const cases: FlowCase[] = [
  ...couplingCases,
  ...[[3], [4, 4, 2]].map((example) => ({
    type: 'actNorm',
    example,
    inputs: () => tf.randomNormal([2, ...example], 0, 2, 'float32', seed++),
    prepare: (_variables: Variables, built: BuiltNode) => initActNorm(built, example),
  })),
  ...[[4], [3, 3, 3]].map((example) => ({
    type: 'invConv1x1',
    example,
    inputs: () => tf.randomNormal([2, ...example], 0, 1, 'float32', seed++),
    prepare: (variables: Variables) => randomize(variables, 'logS', normal(0.5)),
  })),
  { type: 'squeeze', example: [4, 4, 2], inputs: () => tf.randomNormal([2, 4, 4, 2]), volumePreserving: true },
  { type: 'unsqueeze', example: [2, 2, 8], inputs: () => tf.randomNormal([2, 2, 2, 8]), volumePreserving: true },
  ...[[5], [4, 4, 1]].map((example) => ({
    type: 'logitTransform',
    params: { alpha: 0.05 },
    example,
    inputs: () => tf.randomUniform([2, ...example], 0.01, 0.99, 'float32', seed++),
  })),
];

const describeCase = (c: FlowCase) => `${c.type} ${JSON.stringify(c.params ?? {})} on ${c.example.join('×')}`;

function prepared(c: FlowCase) {
  const { built, variables } = layer(c.type, c.params ?? {}, { x: [BATCH, ...c.example] });
  c.prepare?.(variables, built);
  return built;
}

describe('flow layers', () => {
  it.each(cases.map((c) => [describeCase(c), c] as const))('%s: logDet = log |det ∂y/∂x|', (_name, c) => {
    const built = prepared(c);
    const x = c.inputs();
    const call = evaluating();
    const logDet = Array.from(built.forward({ x }, call).logDet.dataSync());
    expect(logDet).toHaveLength(2);
    for (let i = 0; i < 2; i++) {
      const example = x.slice(i, 1);
      const exact = logAbsDet(jacobian((v) => built.forward({ x: v }, call).y, example));
      expect(closeRelative(logDet[i], exact), `example ${i}: logDet ${logDet[i]}, log |det J| ${exact}`).toBe(true);
      // A test whose layer is at the identity could not tell a wrong log-determinant from 0.
      if (c.volumePreserving) expect(Math.abs(exact)).toBeLessThan(1e-4);
      else expect(Math.abs(exact)).toBeGreaterThan(0.05);
    }
  });

  it.each(cases.map((c) => [describeCase(c), c] as const))('%s: inverse(forward(x)) = x', (_name, c) => {
    const built = prepared(c);
    const x = c.inputs();
    const call = evaluating();
    const y = built.forward({ x }, call).y;
    const back = inverseOf(built)(y, call);
    expect(back.shape).toEqual(x.shape);
    expect(tf.abs(back.sub(x)).max().dataSync()[0]).toBeLessThan(1e-4);
    // …and a layer that changes values did change them, so there was something to invert.
    if (!c.volumePreserving) expect(tf.abs(y.sub(x)).max().dataSync()[0]).toBeGreaterThan(1e-2);
  });

  it('an affine coupling starts as the identity, with log-det 0', () => {
    for (const mask of ['checkerboard', 'channel'])
      for (const example of [[6], [4, 4, 2]]) {
        const { built } = layer('affineCoupling', { mask }, { x: [BATCH, ...example] });
        const x = tf.randomNormal([2, ...example]);
        const { y, logDet } = built.forward({ x }, evaluating());
        expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
        expect(Array.from(logDet.dataSync())).toEqual([0, 0]);
      }
  });

  it('a coupling transforms exactly the half its mask does not keep, and flip swaps the halves', () => {
    const transformed = (params: Record<string, unknown>, example: number[]) => {
      const { built, variables } = layer('affineCoupling', params, { x: [BATCH, ...example] });
      randomizeCoupling(variables);
      const x = tf.randomNormal([1, ...example]);
      const moved = tf.abs(built.forward({ x }, evaluating()).y.sub(x)).greater(1e-6);
      return Array.from(moved.dataSync()).map(Number);
    };
    expect(transformed({ mask: 'checkerboard' }, [6])).toEqual([0, 1, 0, 1, 0, 1]);
    expect(transformed({ mask: 'channel' }, [6])).toEqual([0, 0, 0, 1, 1, 1]);
    expect(transformed({ mask: 'channel', flip: true }, [6])).toEqual([1, 1, 1, 0, 0, 0]);
    // 2×2 pixels with 2 channels, pixel by pixel: the checkerboard keeps (0,0) and (1,1) with both their channels.
    expect(transformed({ mask: 'checkerboard' }, [2, 2, 2])).toEqual([0, 0, 1, 1, 1, 1, 0, 0]);
    expect(transformed({ mask: 'checkerboard', flip: true }, [2, 2, 2])).toEqual([1, 1, 0, 0, 0, 0, 1, 1]);
    expect(transformed({ mask: 'channel' }, [2, 2, 2])).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
  });

  it('an invertible 1×1 convolution whose L and U are at the identity reverses the channels', () => {
    const { built, variables } = layer('invConv1x1', {}, { x: [BATCH, 2, 2, 3] });
    for (const name of ['lower', 'upper']) randomize(variables, name, (shape) => tf.zeros(shape));
    const x = tf.range(0, 12).reshape([1, 2, 2, 3]);
    expect(Array.from(built.forward({ x }, evaluating()).y.dataSync())).toEqual([2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9]);
  });

  it('squeeze moves each 2×2 block of pixels into one pixel’s channels', () => {
    const { built } = layer('squeeze', {}, { x: [BATCH, 4, 4, 1] });
    const x = tf.range(0, 16).reshape([1, 4, 4, 1]);
    const y = built.forward({ x }, evaluating()).y;
    expect(y.shape).toEqual([1, 2, 2, 4]);
    // The top-left block holds pixels 0, 1 (first row) and 4, 5 (second row).
    expect(Array.from(y.slice([0, 0, 0, 0], [1, 1, 1, 4]).dataSync())).toEqual([0, 1, 4, 5]);
    expect(Array.from(y.slice([0, 1, 1, 0], [1, 1, 1, 4]).dataSync())).toEqual([10, 11, 14, 15]);
  });
});

describe('ActNorm', () => {
  it('initialises from the first training batch to mean 0 and standard deviation 1 per channel, once', () => {
    const { built, variables, state } = layer('actNorm', {}, { x: [BATCH, 4, 4, 3] });
    const initialized = state.get('initialized')!;
    const reads = vi.spyOn(initialized, 'dataSync');
    const x = tf
      .randomNormal([8, 4, 4, 3], 0, 1, 'float32', seed++)
      .mul(tf.tensor1d([3, 0.5, 2]))
      .add(tf.tensor1d([5, -1, 0]));
    // Outside training nothing is initialised.
    built.forward({ x }, evaluating());
    expect(initialized.dataSync()[0]).toBe(0);
    reads.mockClear();
    const { y } = built.forward({ x }, callContext({ batchSize: 8 }));
    const { mean, variance } = tf.moments(y, [0, 1, 2]);
    for (const m of mean.dataSync()) expect(Math.abs(m)).toBeLessThan(1e-4);
    for (const v of variance.dataSync()) expect(v).toBeCloseTo(1, 3);
    expect(initialized.dataSync()[0]).toBe(1);
    const bias = Array.from(variables.get('bias')!.dataSync());
    reads.mockClear();
    built.forward({ x: x.mul(4) }, callContext({ batchSize: 8 }));
    built.forward({ x: x.add(3) }, callContext({ batchSize: 8 }));
    expect(Array.from(variables.get('bias')!.dataSync())).toEqual(bias);
    expect(reads).not.toHaveBeenCalled();
  });

  it('keeps a restored checkpoint’s values instead of initialising again, reading the state once', () => {
    const { built, variables, state } = layer('actNorm', {}, { x: [BATCH, 2] });
    variables.get('bias')!.assign(tf.tensor1d([0.5, -2]));
    variables.get('logScale')!.assign(tf.tensor1d([0.1, 0.3]));
    state.get('initialized')!.assign(tf.scalar(1));
    const reads = vi.spyOn(state.get('initialized')!, 'dataSync');
    for (let i = 0; i < 3; i++) built.forward({ x: tf.randomNormal([8, 2], 7, 4) }, callContext({ batchSize: 8 }));
    expect(reads).toHaveBeenCalledTimes(1);
    expect(Array.from(variables.get('bias')!.dataSync())).toEqual([0.5, -2]);
    expect(Array.from(variables.get('logScale')!.dataSync()).map((v) => +v.toFixed(6))).toEqual([0.1, 0.3]);
  });
});

describe('dequantize', () => {
  // It is excluded from the Jacobian test: its log-det is not the Jacobian of x ↦ y ((k + u)/256 is flat in x
  // between grey levels) but the log-volume of one grey level's bin, which makes the flow loss a bound on the
  // discrete data's NLL. So its log-det is checked against that volume, and its inverse on the grid.
  const everyLevel = (levels: number, copies: number) =>
    tf
      .range(0, levels)
      .div(levels - 1)
      .tile([copies])
      .reshape([copies, levels, 1, 1]);

  it('has log-det −D·ln 256 per example: the log-volume of a grey level’s bin', () => {
    const { built } = layer('dequantize', {}, { x: [BATCH, 28, 28, 1] });
    const logDet = Array.from(built.forward({ x: tf.zeros([3, 28, 28, 1]) }, callContext({ batchSize: 3 })).logDet.dataSync());
    const volume = -784 * Math.log(256);
    for (const v of logDet) {
      expect(Math.abs(v - volume) / Math.abs(volume)).toBeLessThan(1e-4);
      // The volume u actually covers: each bin less its two margins.
      expect(v).toBeCloseTo(784 * (Math.log(1 - 2 * BIN_MARGIN) - Math.log(256)), 2);
    }
  });

  it.each([256, 32])('with %d levels, inverts exactly on the grid k/(levels − 1) and puts each value inside its bin', (levels) => {
    const copies = 2000;
    const { built } = layer('dequantize', { levels }, { x: [BATCH, levels, 1, 1] });
    const x = everyLevel(levels, copies);
    const call = callContext({ batchSize: copies });
    const y = built.forward({ x }, call).y;
    expect(Array.from(inverseOf(built)(y, call).dataSync())).toEqual(Array.from(x.dataSync()));
    const offset = y.mul(levels).sub(x.mul(levels - 1).round());
    expect(offset.min().dataSync()[0]).toBeGreaterThan(0);
    expect(offset.max().dataSync()[0]).toBeLessThan(1);
    // u fills the bin: spread over nearly all of it, mean ½.
    expect(offset.max().dataSync()[0] - offset.min().dataSync()[0]).toBeGreaterThan(0.99);
    expect(offset.mean().dataSync()[0]).toBeCloseTo(0.5, 2);
  });

  it('draws new noise every call', () => {
    const { built } = layer('dequantize', {}, { x: [BATCH, 4] });
    const x = tf.fill([2, 4], 128 / 255);
    const call = callContext({ batchSize: 2 });
    const [a, b] = [built.forward({ x }, call).y, built.forward({ x }, call).y];
    expect(tf.abs(a.sub(b)).max().dataSync()[0]).toBeGreaterThan(0);
  });
});

describe('flow prior and flow NLL', () => {
  const LOG_2PI = Math.log(2 * Math.PI);
  const z = tf.randomNormal([4, 3, 2, 2], 0, 1.5, 'float32', 5);
  const zRows = Array.from({ length: 4 }, (_, i) => Array.from(z.slice(i, 1).dataSync()));
  const halfSquares = zRows.map((row) => row.reduce((s, v) => s + 0.5 * v * v, 0));
  const D = 12;

  function logProb() {
    const { built } = layer('flowPrior', {}, { z: [BATCH, 3, 2, 2] });
    return built.forward({ z }, callContext({ batchSize: 4 })).logProb;
  }

  function nll(inputs: Record<string, Tensor>, batchSize = 4) {
    const shapes = Object.fromEntries(Object.entries(inputs).map(([port, t]) => [port, [BATCH, ...t.shape.slice(1)]]));
    const { built } = layer('flowNll', {}, shapes);
    return built.forward(inputs, callContext({ batchSize })).loss;
  }

  it('the prior scores z under N(0, I) without drawing: log p(z) = −½Σz² − (D/2)·ln 2π, B×1', () => {
    const lp = logProb();
    expect(lp.shape).toEqual([4, 1]);
    Array.from(lp.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(-halfSquares[i] - (D / 2) * LOG_2PI, 4));
  });

  it('with no flow layers (an identity flow) the loss is ½Σz² + (D/2)·ln 2π, averaged over the batch', () => {
    const loss = nll({ logProb: logProb() });
    expect(loss.shape).toEqual([]);
    const closed = halfSquares.reduce((s, v) => s + v + (D / 2) * LOG_2PI, 0) / 4;
    expect(loss.dataSync()[0]).toBeCloseTo(closed, 4);
  });

  it('subtracts the mean over the batch of the sum of the log-dets it is given', () => {
    const logDets = [tf.tensor1d([0.5, -1, 2, 3]), tf.tensor1d([1, 1, -0.25, 0])];
    const withoutFlow = nll({ logProb: logProb() }).dataSync()[0];
    const loss = nll({ logProb: logProb(), [`${FLOW_LOG_DET_INPUT}0`]: logDets[0], [`${FLOW_LOG_DET_INPUT}1`]: logDets[1] });
    expect(loss.dataSync()[0]).toBeCloseTo(withoutFlow - (4.5 + 1.75) / 4, 4);
    // The evaluator scores one example at a time: a 1-row slice gives that example's NLL.
    const one = nll({ logProb: logProb().slice(2, 1), [`${FLOW_LOG_DET_INPUT}0`]: logDets[0].slice(2, 1) }, 1);
    expect(one.dataSync()[0]).toBeCloseTo(halfSquares[2] + (D / 2) * LOG_2PI - 2, 4);
  });

  it('a chain of flow layers on the plane gives a density that integrates to 1', () => {
    // ActNorm → coupling → 1×1 mixing → coupling (flipped) → prior, with non-trivial weights: the density
    // p(x) = p(z)·Π |det| summed over a fine grid is 1 only if every log-det has the right value and sign.
    const chain = [
      { type: 'actNorm', params: {} },
      { type: 'affineCoupling', params: { hidden: [16, 16] } },
      { type: 'invConv1x1', params: {} },
      { type: 'affineCoupling', params: { hidden: [16, 16], flip: true, activation: 'tanh' } },
    ].map(({ type, params }) => {
      const { built, variables } = layer(type, params, { x: [BATCH, 2] });
      if (type === 'affineCoupling') randomizeCoupling(variables);
      if (type === 'actNorm') initActNorm(built, [2]);
      if (type === 'invConv1x1') randomize(variables, 'logS', normal(0.5));
      return built;
    });
    const side = 400;
    const half = 30;
    const step = (2 * half) / side;
    const ticks = tf.range(0, side).add(0.5).mul(step).sub(half);
    const grid = tf.stack([ticks.reshape([side, 1]).tile([1, side]).reshape([-1]), ticks.tile([side])], 1);
    const call = callContext({ mode: 'evaluate', training: false, batchSize: side * side });
    let h = grid;
    const logDets: Record<string, Tensor> = {};
    chain.forEach((built, i) => {
      const out = built.forward({ x: h }, call);
      h = out.y;
      logDets[`${FLOW_LOG_DET_INPUT}${i}`] = out.logDet;
    });
    const { built: prior } = layer('flowPrior', {}, { z: [BATCH, 2] });
    const logProb = prior.forward({ z: h }, call).logProb;
    const logDensity = Object.values(logDets).reduce((s, d) => s.add(d), logProb.reshape([-1]));
    const { built: loss } = layer(
      'flowNll',
      {},
      { logProb: [BATCH, 1], ...Object.fromEntries(Object.keys(logDets).map((k) => [k, [BATCH]])) },
    );
    const meanNll = -logDensity.mean().dataSync()[0];
    expect(Math.abs(loss.forward({ logProb, ...logDets }, call).loss.dataSync()[0] - meanNll) / meanNll).toBeLessThan(1e-5);
    const mass = tf.exp(logDensity).sum().dataSync()[0] * step * step;
    expect(mass).toBeGreaterThan(0.995);
    expect(mass).toBeLessThan(1.005);
  });
});

describe('shape failures name the port and say how to fix them', () => {
  const failure = (type: string, inputs: Record<string, Shape>, params: Record<string, unknown> = {}) => {
    const def = registry[type] as LayerNodeDef;
    const r = def.inferShapes(inputs, paramsFor(def, params), { data: null });
    if (!isFailure(r)) throw new Error(`${type} accepted ${JSON.stringify(inputs)}`);
    return r.failure;
  };

  it.each([
    ['squeeze', { x: [BATCH, 5, 4, 1] }, {}, 'x', /odd height/, /even/],
    ['squeeze', { x: [BATCH, 4, 7, 1] }, {}, 'x', /odd width/, /even/],
    ['squeeze', { x: [BATCH, 16] }, {}, 'x', /image/, /Reshape/],
    ['unsqueeze', { x: [BATCH, 4, 4, 6] }, {}, 'x', /6 channels/, /Squeeze/],
    ['affineCoupling', { x: [BATCH, 28, 28, 1] }, { mask: 'channel' }, 'x', /1 channel/, /checkerboard|Squeeze/],
    ['affineCoupling', { x: [BATCH, 1] }, {}, 'x', /one value/, /2 or more/],
    ['affineCoupling', { x: [BATCH, 1, 1, 2] }, { mask: 'checkerboard' }, 'x', /2 or more pixels/, /channel mask/],
    ['actNorm', { x: [BATCH, 4, 4] }, {}, 'x', /B×features or B×H×W×C/, /Reshape/],
    ['invConv1x1', { x: [BATCH, 2, 3, 4, 5] }, {}, 'x', /B×features or B×H×W×C/, /Flatten/],
    ['flowPrior', { z: [BATCH] }, {}, 'z', /batch of examples/, /last flow layer/],
    ['flowNll', { logProb: [BATCH, 2] }, {}, 'logProb', /B×1/, /Flow prior/],
    [
      'flowNll',
      { logProb: [BATCH, 1], [`${FLOW_LOG_DET_INPUT}0`]: [BATCH, 1] },
      {},
      `${FLOW_LOG_DET_INPUT}0`,
      /one value per example/,
      /sum/,
    ],
  ] as const)('%s on %j (%j)', (type, inputs, params, port, message, hint) => {
    const f = failure(type, inputs, params);
    expect(f.port).toBe(port);
    expect(f.message).toMatch(message);
    expect(f.hint).toMatch(hint);
  });
});

describe('the affine coupling’s network', () => {
  const coupling = registry.affineCoupling as LayerNodeDef;

  it('lists its steps with their shapes for the Inside view, and the count of its weights matches what it builds', () => {
    const params = resolveParams(coupling.params, { hidden: [8, 4] }).values;
    const steps = coupling.innerNetwork!({ x: [BATCH, 6] }, params);
    expect(steps.map((s) => [s.id, s.output, s.reads])).toEqual([
      ['mask', [BATCH, 6], ['x']],
      ['hidden0', [BATCH, 8], ['mask']],
      ['hidden1', [BATCH, 4], ['hidden0']],
      ['out', [BATCH, 12], ['hidden1']],
      ['s', [BATCH, 6], ['out']],
      ['t', [BATCH, 6], ['out']],
    ]);
    const images = coupling.innerNetwork!({ x: [BATCH, 4, 4, 2] }, params);
    expect(images.find((s) => s.id === 'hidden0')).toMatchObject({
      title: 'Conv2D',
      params: { filters: 8, kernelSize: 3 },
      output: [BATCH, 4, 4, 8],
    });
    // 6→8→4→12 dense layers with biases, plus one learned scale per feature.
    expect(coupling.countParams!({ x: [BATCH, 6] }, params)).toBe(6 * 8 + 8 + 8 * 4 + 4 + 4 * 12 + 12 + 6);
  });
});
