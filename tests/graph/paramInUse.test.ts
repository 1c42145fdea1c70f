/** A parameter that only one optimizer algorithm reads is in use only while that algorithm is chosen. */
import { describe, expect, it } from 'vitest';
import optimizer from '../../nodes/optimizer';
import { paramInUse, type ParamDecls } from '../../src/graph/params';

const decls = optimizer.params as ParamDecls;
const shown = (params: Record<string, unknown>) => Object.keys(decls).filter((name) => paramInUse(decls[name], params, decls));

describe('paramInUse', () => {
  it('shows each algorithm the fields it reads (the default is Adam)', () => {
    const common = ['algorithm', 'learningRate', 'trains', 'stepsPerRound', 'clipWeights'];
    expect(shown({}).sort()).toEqual([...common, 'beta1', 'beta2', 'epsilon'].sort());
    expect(shown({ algorithm: 'rmsprop' }).sort()).toEqual([...common, 'epsilon', 'momentum', 'rho'].sort());
    expect(shown({ algorithm: 'sgd' }).sort()).toEqual([...common, 'momentum'].sort());
  });
});
