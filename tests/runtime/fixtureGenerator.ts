/** Generators whose samples a test chooses, for judging the metrics that judge samples. */
import type { Plan } from '../../src/compiler/plan';
import type { CompiledModel } from '../../src/runtime/model';
import type { ReadMode } from '../../src/runtime/reads';

/** A "model" that hands out the rows of `pool` (`size` values each) in order. */
export function fixtureGenerator(plan: Pick<Plan, 'modes' | 'data' | 'seed'>, pool: Float32Array, size: number): CompiledModel<ReadMode> {
  let at = 0;
  const generate = (n: number) => {
    const out = pool.slice(at * size, (at + n) * size);
    at += n;
    return Promise.resolve(out);
  };
  // Its samples are chosen, not drawn: a fixed random position changes nothing.
  const withFixedRandom = <T>(_counter: number, fn: () => T): T => fn();
  return { plan, generate, withFixedRandom } as unknown as CompiledModel<ReadMode>;
}

/** Seeded uniform values in [0, 1). */
export function uniformNoise(length: number, seed = 7): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24);
}
