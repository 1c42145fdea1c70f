/** Palette and quick-add search over the registry: title, type id, category and doc text. */
import type { AnyNodeDef } from '../../graph/nodeApi';
import { CATEGORIES } from '../../graph/nodeApi';

export function searchNodes(registry: Record<string, AnyNodeDef>, query: string): AnyNodeDef[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const defs = Object.values(registry).sort(
    (a, b) => CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category) || a.title.localeCompare(b.title),
  );
  if (!words.length) return defs;
  const scored = defs
    .map((d) => {
      const title = d.title.toLowerCase();
      const hay = `${title} ${d.type.toLowerCase()} ${d.category} ${d.doc.toLowerCase()}`;
      if (!words.every((w) => hay.includes(w))) return null;
      // Title matches first, then type id, then anything in the docs.
      const score = words.reduce(
        (s, w) => s + (title.startsWith(w) ? 0 : title.includes(w) ? 1 : d.type.toLowerCase().includes(w) ? 2 : 3),
        0,
      );
      return { d, score };
    })
    .filter((x): x is { d: AnyNodeDef; score: number } => x !== null);
  return scored.sort((a, b) => a.score - b.score).map((x) => x.d);
}
