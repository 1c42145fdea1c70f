/**
 * The compiler's view of the current document (shapes, errors, parameter
 * counts, who trains what). It is derived, never stored: one compile per
 * document object and data lookup, shared by every component that asks.
 */
import { compile, type CompileResult, type DataLookup, type Registry } from '../compiler/compile';
import type { GraphDocument } from '../graph/document';
import { registry as defaultRegistry } from '../../nodes/index';
import { pageDataLookup } from './uploads';

const cache = new WeakMap<GraphDocument, { data: DataLookup; result: CompileResult }>();

export function compileDocument(
  doc: GraphDocument,
  registry: Registry = defaultRegistry,
  data: DataLookup = pageDataLookup(),
): CompileResult {
  if (registry !== defaultRegistry) return compile(doc, registry, { data });
  const hit = cache.get(doc);
  if (hit && hit.data === data) return hit.result;
  const result = compile(doc, registry, { data });
  cache.set(doc, { data, result });
  return result;
}
