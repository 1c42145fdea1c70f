/**
 * Explain mode's equations: every node that declares one renders with KaTeX
 * for every choice and switch of its parameters and every kind of loss term
 * wired into it, each \port{…} tag names a real port of the node, and the
 * equations that depend on a parameter really follow it.
 */
import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import type { AnyNodeDef, EquationContext, LossMeasure } from '../../src/graph/nodeApi';
import { defaultParams, type AnyParamValues } from '../../src/graph/params';
import { PORT_ATTRIBUTE, renderTex, resolveEquation, taggedPorts } from '../../src/ui/explain/renderEquation';

const withEquations = Object.values(registry).filter((def) => def.equation);

/** The defaults, then every option of each choice and both values of each switch, one at a time; numbers at their default and at 0 or 2. */
function paramVariants(def: AnyNodeDef): AnyParamValues[] {
  const base = defaultParams(def.params);
  const variants = [base];
  for (const [name, decl] of Object.entries(def.params)) {
    if (decl.kind === 'choice') for (const option of decl.options) variants.push({ ...base, [name]: option });
    if (decl.kind === 'bool') variants.push({ ...base, [name]: !decl.default });
    if (decl.kind === 'float') variants.push({ ...base, [name]: decl.default === 0 ? 2 : 0 });
  }
  // Choices together (a GAN loss's player with each kind).
  const choices = Object.entries(def.params).filter(([, d]) => d.kind === 'choice');
  if (choices.length === 2) {
    const [[a, da], [b, db]] = choices as [string, { options: readonly string[] }][];
    for (const x of da.options) for (const y of db.options) variants.push({ ...base, [a]: x, [b]: y });
  }
  return variants;
}

/** Nothing wired, and each input fed by an NLL, a KL or another term (and an NLL + KL pair on the first two). */
function contexts(def: AnyNodeDef): EquationContext[] {
  const ports = Object.keys(def.inputs);
  const measures: LossMeasure[] = ['nll', 'kl', null];
  return [
    { wired: {} },
    ...measures.map((m) => ({ wired: Object.fromEntries(ports.map((p) => [p, m])) })),
    ...(ports.length >= 2 ? [{ wired: { [ports[0]]: 'nll' as const, [ports[1]]: 'kl' as const } }] : []),
  ];
}

describe('node equations', () => {
  it('cover the nodes the explain mode promises', () => {
    const expected = [
      'sampler',
      'gaussianKl',
      'weightedSum',
      'bce',
      'mse',
      'ganLoss',
      'gradientPenalty',
      'maskedConv2d',
      'affineCoupling',
      'flowNll',
      'forwardNoising',
      'epsMse',
      'diffusionSampler',
      'actNorm',
      'invConv1x1',
      'noiseSchedule',
      'categorical256',
      'dequantize',
      'logitTransform',
      'squeeze',
      'interpolate',
      'labelDropout',
      'timeEmbedding',
    ];
    expect(expected.filter((t) => !registry[t]?.equation)).toEqual([]);
  });

  // Not written yet; listed so that a new loss or flow layer cannot arrive without its equation unnoticed.
  const pending = ['l1Activity', 'unsqueeze'];

  it('every loss (the term it adds) and every flow layer (its log-determinant) has an equation', () => {
    const mathematical = Object.values(registry).filter((def) => def.loss || def.flow);
    expect(mathematical.filter((def) => !def.equation && !pending.includes(def.type)).map((def) => def.type)).toEqual([]);
    // Once one is written, it leaves the list.
    expect(pending.filter((t) => registry[t]?.equation)).toEqual([]);
  });

  it.each(withEquations.map((def) => [def.type, def] as const))(
    '%s renders with KaTeX for every variant, tagging only its own ports',
    (_type, def) => {
      const ports = new Set([...Object.keys(def.inputs), ...Object.keys(def.outputs)]);
      for (const params of paramVariants(def))
        for (const ctx of contexts(def)) {
          const eq = resolveEquation(def, params, ctx)!;
          for (const [tex, display] of [
            [eq.tex, true],
            [eq.compact, false],
          ] as const) {
            const html = renderTex(tex, display, { strictErrors: true });
            expect(html).toContain('class="katex');
            const tags = taggedPorts(tex);
            expect(
              tags.filter((p) => !ports.has(p)),
              tex,
            ).toEqual([]);
            // Every tag reaches the HTML as the attribute the canvas listens for.
            for (const port of tags) expect(html).toContain(`${PORT_ATTRIBUTE}="${port}"`);
          }
          if (eq.grid) expect(eq.grid.reads).toHaveLength(eq.grid.size * eq.grid.size);
        }
    },
  );

  it('tags at least one port in each compact form, so hovering has something to point at', () => {
    for (const def of withEquations) {
      const eq = resolveEquation(def, defaultParams(def.params), { wired: {} })!;
      expect(taggedPorts(eq.compact).length, def.type).toBeGreaterThan(0);
    }
  });

  it('trusts no other command, and no \\htmlData but a port name: they render as unsupported, red, without their HTML', () => {
    const untrusted = {
      [String.raw`\htmlClass{evil}{a}`]: 'evil',
      [String.raw`\href{https://example.com}{a}`]: 'example.com"',
      [String.raw`\htmlData{port=a, onclick=b}{a}`]: 'data-onclick',
      [String.raw`\port{a"b}{a}`]: 'data-port',
      [String.raw`\htmlStyle{color: red}{a}`]: 'color: red',
    };
    for (const [tex, leaked] of Object.entries(untrusted)) {
      const html = renderTex(tex, false, { strictErrors: true });
      expect(html.replace(/<annotation[^]*<\/annotation>/, ''), tex).not.toContain(leaked);
      expect(html, tex).toContain('color:#cc0000');
    }
  });
});

describe('the GAN loss equation follows its kind and player', () => {
  const gan = registry.ganLoss;
  const compact = (player: string, kind: string) =>
    resolveEquation(gan, { ...defaultParams(gan.params), player, kind }, { wired: {} })!.compact;

  it('the minimax generator minimises log(1 − D(G(z))), the non-saturating one −log D(G(z))', () => {
    expect(compact('generator', 'minimax')).toMatch(/^\\port\{loss\}\{\\mathcal L_G\} = \\mathbb E_z \\log\\big\(1 - /);
    expect(compact('generator', 'nonSaturating')).toMatch(
      /^\\port\{loss\}\{\\mathcal L_G\} = -\\mathbb E_z \\log \\port\{fakeLogits\}\{D\(G\(z\)\)\}$/,
    );
  });

  it('both cross-entropy games share the discriminator loss; the others use raw scores', () => {
    expect(compact('discriminator', 'minimax')).toBe(compact('discriminator', 'nonSaturating'));
    expect(compact('discriminator', 'wasserstein')).toContain(String.raw`\ell(G(z))`);
    expect(compact('discriminator', 'wasserstein')).not.toContain('D(x)');
    expect(compact('discriminator', 'hinge')).toContain(String.raw`\max`);
    expect(compact('discriminator', 'leastSquares')).toContain(String.raw`\tfrac12`);
  });

  it('gives every kind and player a different equation, except the shared discriminator loss', () => {
    const kinds = (gan.params.kind as { options: readonly string[] }).options;
    const all = kinds.flatMap((k) => ['discriminator', 'generator'].map((p) => compact(p, k)));
    // minimax and nonSaturating share D's loss; wasserstein and hinge share G's (both raise the critic's score of fakes).
    expect(new Set(all).size).toBe(all.length - 2);
  });

  it('the generator never reads real data', () => {
    for (const kind of (gan.params.kind as { options: readonly string[] }).options)
      expect(taggedPorts(compact('generator', kind))).not.toContain('realLogits');
  });
});

describe('the weighted sum says when it is the ELBO', () => {
  const sum = registry.weightedSum;
  const elboContext: EquationContext = { wired: { a: 'nll', b: 'kl' } };
  const resolve = (params: Record<string, number>, ctx = elboContext) =>
    resolveEquation(sum, { ...defaultParams(sum.params), ...params }, ctx)!;

  it('NLL + KL at weight 1 is −ELBO', () => {
    expect(resolve({}).compact).toContain(String.raw`= -\mathrm{ELBO}`);
    expect(resolve({}).caption).toMatch(/negative ELBO/);
  });

  it('a KL weight other than 1 is not the ELBO, and the caption names the weight', () => {
    const beta = resolve({ wb: 4 });
    expect(beta.compact).not.toContain('ELBO');
    expect(beta.compact).toContain(String.raw`4\,\port{b}{\mathrm{KL}}`);
    expect(beta.caption).toMatch(/^Not the ELBO: wb = 4, not 1/);
    expect(beta.caption).toMatch(/β-VAE/);
  });

  it('a negative weight becomes a minus sign; unwired inputs are left out', () => {
    expect(resolve({ wb: -0.5 }, { wired: { a: null, b: null } }).compact).toBe(
      String.raw`\port{loss}{\mathcal L} =  \port{a}{\mathcal L_a} - 0.5\,\port{b}{\mathcal L_b}`,
    );
  });
});

describe('the flow, diffusion and categorical equations follow their parameters', () => {
  const eq = (type: string, params: AnyParamValues = {}) =>
    resolveEquation(registry[type], { ...defaultParams(registry[type].params), ...params }, { wired: {} })!;

  it('the noise schedule states its kind’s β and the ᾱ_T it really reaches', () => {
    const linear = eq('noiseSchedule');
    expect(linear.tex).toContain(String.raw`\beta_1 &= 0.0001,\ \beta_T = 0.02,\ T = 1000`);
    const cosine = eq('noiseSchedule', { kind: 'cosine', steps: 200 });
    expect(cosine.tex).toContain(String.raw`\cos^2`);
    expect(cosine.tex).toContain('T = 200');
    expect(cosine.tex).not.toContain(String.raw`\beta_1 &=`);
    // 1000 linear steps leave ᾱ_T = ∏(1 − β) ≈ 4.0e-5 of the data's variance.
    expect(linear.caption).toMatch(/here it is 4\.0e-5\.$/);
  });

  it('the categorical NLL is per example with "sum" and per value with "mean"', () => {
    expect(eq('categorical256').compact).toMatch(/^\{\\frac1B /);
    expect(eq('categorical256', { reduction: 'mean' }).compact).toMatch(/^\{\\frac\{1\}\{BD\} /);
    expect(eq('categorical256', { reduction: 'mean' }).caption).toMatch(/not a likelihood in nats/);
  });

  it('the sinusoidal embedding shows h = dim/2 frequencies, and its scale only when it is not 1', () => {
    const steps = eq('timeEmbedding', { dim: 64 });
    expect(steps.tex).toContain('= 32');
    expect(steps.compact).toContain(String.raw`u = \port{t}{t}`);
    expect(eq('timeEmbedding', { scale: 25 }).compact).toContain(String.raw`u = 25\,\port{t}{t}`);
  });

  it('dequantize bins by its levels; label dropout states its rate', () => {
    expect(eq('dequantize', { levels: 16 }).compact).toBe(
      String.raw`\port{y}{y} = \frac{15\, \port{x}{x} + u}{16},\ u \sim \mathcal U(0, 1) \newline \port{logDet}{\log V} \approx -D \ln 16`,
    );
    expect(eq('labelDropout', { rate: 0.2 }).tex).toContain('p = 0.2');
    expect(eq('labelDropout', { rate: 0.2 }).caption).toContain('p = 0.2');
  });
});
