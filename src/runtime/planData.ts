/** The data a compiled graph trains on, as its dataset capability describes it. */
import type { Plan } from '../compiler/plan';
import { loadDataSet, type DataSpec } from '../data/registry';
import type { DataSet, Split } from '../data/types';
import { exampleSize } from '../graph/shape';

export function dataSpecOf(plan: Plan, split: Split = 'train'): DataSpec {
  return { ...plan.dataSpec, seed: plan.seed, split };
}

/** Loads the graph's data and checks it has the shape the compiler assumed. */
export async function loadPlanData(plan: Plan, split: Split = 'train'): Promise<DataSet> {
  const ds = await loadDataSet(dataSpecOf(plan, split));
  if (exampleSize(ds.shape) !== exampleSize(plan.data.shape))
    throw new Error(`${ds.name}: examples are ${ds.shape.join('×')} but the graph expects ${plan.data.shape.join('×')}`);
  return ds;
}
