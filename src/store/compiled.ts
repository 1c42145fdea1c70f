/**
 * The compiler's view of the current document (shapes, errors, parameter
 * counts, who trains what). It is derived, never stored: one compile per
 * document object, shared by every component that asks.
 */
import { compile, type CompileResult, type Registry } from '../compiler/compile';
import type { GraphDocument } from '../graph/document';
import { registry as defaultRegistry } from '../../nodes/index';

const cache = new WeakMap<GraphDocument, CompileResult>();

export function compileDocument(doc: GraphDocument, registry: Registry = defaultRegistry): CompileResult {
  if (registry !== defaultRegistry) return compile(doc, registry);
  let result = cache.get(doc);
  if (!result) cache.set(doc, (result = compile(doc, registry)));
  return result;
}
