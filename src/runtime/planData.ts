/**
 * The data a graph trains on. A graph is compiled against what its data holds
 * (shape and classes read from the files), not what its source's name suggests:
 * compile once to learn where the data is, read it, compile again with it.
 */
import { compile, type CompileResult, type Registry } from '../compiler/compile';
import type { Plan } from '../compiler/plan';
import { DataError } from '../data/errors';
import { loadDataSet, type DataSpec } from '../data/registry';
import { measureDataSet, type DataSet, type Split } from '../data/types';
import type { GraphDocument } from '../graph/document';
import type { DataSourceSpec } from '../graph/nodeApi';
import { exampleSize } from '../graph/shape';

export function dataSpecOf(plan: Pick<Plan, 'dataSpec' | 'seed'>, split: Split = 'train'): DataSpec {
  return { ...plan.dataSpec, seed: plan.seed, split };
}

/** Loads the graph's data and checks it has the shape the compiler was given. */
export async function loadPlanData(plan: Plan, split: Split = 'train'): Promise<DataSet> {
  const ds = await loadDataSet(dataSpecOf(plan, split));
  if (exampleSize(ds.shape) !== exampleSize(plan.data.shape))
    throw new DataError(ds.name, `examples are ${ds.shape.join('×')} but the graph expects ${plan.data.shape.join('×')}`);
  return ds;
}

export interface GraphData {
  /** which spec and seed these sets were read for (reuse them while it is unchanged) */
  key: string;
  train: DataSet;
  test: DataSet;
}

export interface CompiledWithData {
  result: CompileResult;
  /** the same document compiled on its source's fixed description alone, before the data was read */
  assumed: CompileResult;
  /** null when the graph names no data or its data failed to load (the error is in result.errors, on the Dataset node) */
  data: GraphData | null;
}

export function dataKeyOf(spec: DataSourceSpec, seed: number): string {
  return JSON.stringify([spec, seed]);
}

/**
 * Compiles `doc` against the data it names. `reuse` is data read before: kept
 * when the spec and seed are the same, so an edit elsewhere does not re-read
 * files. A DataError becomes an error on the Dataset node, like any other
 * problem with the graph.
 */
export async function compileWithData(doc: GraphDocument, registry: Registry, reuse?: GraphData | null): Promise<CompiledWithData> {
  const first = compile(doc, registry);
  const spec = first.dataSpec;
  if (!spec) return { result: first, assumed: first, data: null };
  const seed = doc.meta.seed;
  const key = dataKeyOf(spec, seed);
  let data: GraphData;
  if (reuse && reuse.key === key) data = reuse;
  else {
    try {
      const train = await loadDataSet({ ...spec, seed, split: 'train' });
      const test = await loadDataSet({ ...spec, seed, split: 'test' });
      if (exampleSize(test.shape) !== exampleSize(train.shape))
        throw new DataError(test.name, `test examples are ${test.shape.join('×')} but training examples are ${train.shape.join('×')}`);
      data = { key, train, test };
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      const problem = { problem: e.message, hint: e.hint || 'check the files the Dataset node names' };
      return { result: compile(doc, registry, { data: () => problem }), assumed: first, data: null };
    }
  }
  const measured = measureDataSet(data.train);
  const result = compile(doc, registry, { data: () => measured });
  return { result, assumed: first, data };
}
