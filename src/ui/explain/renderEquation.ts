/**
 * Renders node equations with KaTeX. Only TeX written in node files comes
 * here (never labels, notes or anything else from a document), and KaTeX
 * trusts exactly one command: `\htmlData{port=name}`, which the `\port`
 * macro writes, so a symbol can name the port that carries it.
 */
import katex, { type KatexOptions, type TrustContext } from 'katex';
import type { AnyNodeDef, EquationContext, EquationGrid } from '../../graph/nodeApi';
import type { AnyParamValues } from '../../graph/params';

/** The data attribute a tagged symbol carries: `data-port="mean"`. */
export const PORT_ATTRIBUTE = 'data-port';
const PORT_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

function trustPortTags(context: TrustContext): boolean {
  if (context.command !== '\\htmlData') return false;
  const keys = Object.keys(context.attributes);
  return keys.length === 1 && keys[0] === PORT_ATTRIBUTE && PORT_NAME.test(context.attributes[PORT_ATTRIBUTE]);
}

/**
 * KaTeX options. `\htmlData` is an HTML extension, which strict mode reports:
 * that one is ours and allowed; anything else non-standard is a warning in the
 * app and an error in tests (`strictErrors`).
 */
export function katexOptions(display: boolean, { strictErrors = false } = {}): KatexOptions {
  return {
    displayMode: display,
    throwOnError: strictErrors,
    trust: trustPortTags,
    strict: (code: string) => (code === 'htmlExtension' ? 'ignore' : strictErrors ? 'error' : 'warn'),
    // A fresh object each time: KaTeX writes \gdef'd macros into the one it is given.
    macros: { '\\port': '\\htmlData{port=#1}{#2}' },
  };
}

export function renderTex(tex: string, display: boolean, opts: { strictErrors?: boolean } = {}): string {
  return katex.renderToString(tex, katexOptions(display, opts));
}

/** The port names a TeX string tags with \port{…}. */
export function taggedPorts(tex: string): string[] {
  return [...tex.matchAll(/\\port\{([^}]*)\}/g)].map((m) => m[1]);
}

/** A node's equation for these (checked) parameters and surroundings; null when it declares none. */
export interface ResolvedEquation {
  tex: string;
  compact: string;
  caption: string | null;
  grid: EquationGrid | null;
}

export function resolveEquation(def: AnyNodeDef, params: AnyParamValues, ctx: EquationContext): ResolvedEquation | null {
  const eq = def.equation;
  if (!eq) return null;
  const tex = eq.tex(params, ctx);
  return {
    tex,
    compact: eq.compact?.(params, ctx) ?? tex,
    caption: eq.caption?.(params, ctx) ?? null,
    grid: eq.grid?.(params) ?? null,
  };
}
