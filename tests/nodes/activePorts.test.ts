/** The node contract's activePorts: which declared ports exist for a node's parameters. */
import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { isComputedInput, isFailure } from '../../src/graph/nodeApi';
import type { ChoiceParam } from '../../src/graph/params';
import { activePortsOf, inactivePortProblem } from '../../src/graph/ports';
import type { Shape } from '../../src/graph/shape';
import { paramsFor } from './harness';

describe('activePorts', () => {
  it('an Encoder has mean and logVar when gaussian, z when deterministic', () => {
    expect(activePortsOf(registry.encoder, { output: 'gaussian' })).toEqual({ inputs: ['x'], outputs: ['mean', 'logVar'] });
    expect(activePortsOf(registry.encoder, { output: 'deterministic' })).toEqual({ inputs: ['x'], outputs: ['z'] });
    // Missing parameters take their defaults (gaussian).
    expect(activePortsOf(registry.encoder, {}).outputs).toEqual(['mean', 'logVar']);
  });

  it("a generator's GAN loss has no realLogits", () => {
    expect(activePortsOf(registry.ganLoss, { player: 'generator' }).inputs).toEqual(['fakeLogits']);
    expect(activePortsOf(registry.ganLoss, { player: 'discriminator' }).inputs).toEqual(['realLogits', 'fakeLogits']);
  });

  it('a node without activePorts has every declared port', () => {
    expect(activePortsOf(registry.dense, {})).toEqual({ inputs: ['x'], outputs: ['y'] });
    expect(inactivePortProblem(registry.dense, {}, 'outputs', 'y')).toBeNull();
  });

  it('names the parameter to change and the port to use instead', () => {
    expect(inactivePortProblem(registry.encoder, { output: 'deterministic' }, 'outputs', 'logVar')).toEqual({
      message: "this Encoder's output is deterministic: it has no logVar output",
      hint: 'use z, or set output to gaussian',
    });
    expect(inactivePortProblem(registry.encoder, { output: 'deterministic' }, 'outputs', 'z')).toBeNull();
  });

  // For every option of every choice parameter, the ports that carry a shape are exactly the active ones.
  const withActivePorts = Object.values(registry).filter((d) => d.activePorts);
  it.each(withActivePorts.map((d) => d.type))('%s: shapes appear on the active outputs and only there', (type) => {
    const def = registry[type];
    const example = def.examples?.[0] ?? {};
    const choices = Object.entries(def.params).filter((e): e is [string, ChoiceParam] => e[1].kind === 'choice');
    for (const [name, decl] of choices)
      for (const option of decl.options) {
        const params = paramsFor(def, { [name]: option });
        const active = activePortsOf(def, params);
        const inputs: Record<string, Shape> = {};
        for (const [port, e] of Object.entries(example)) if (active.inputs.includes(port)) inputs[port] = isComputedInput(e) ? e.shape : e;
        const outputs =
          def.kind === 'block'
            ? Object.keys(def.expand(params, inputs).outputs)
            : (() => {
                const r = def.inferShapes(inputs, params, { data: null });
                if (isFailure(r)) throw new Error(`${type} with ${name}=${option}: ${r.failure.message}`);
                return Object.keys(r);
              })();
        expect(outputs.sort(), `${type} with ${name}=${option}`).toEqual([...active.outputs].sort());
      }
  });
});
