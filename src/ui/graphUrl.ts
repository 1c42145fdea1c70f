/**
 * Which saved graph this tab edits: `?graph=<id>` in the URL (default
 * "default"). Links and "open in new tab" get a fresh id so they never
 * overwrite the graph someone was working on.
 */
export function currentGraphId(): string {
  return new URL(location.href).searchParams.get('graph') || 'default';
}

export function freshGraphId(): string {
  return `g${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

export function newGraphUrl(hash: string): string {
  const url = new URL(location.href);
  url.searchParams.set('graph', freshGraphId());
  url.hash = hash;
  return url.toString();
}

/** This page's address for the saved graph `graphId` (no hash: nothing to open but the save). */
export function graphUrl(graphId: string): string {
  const url = new URL(location.href);
  url.searchParams.set('graph', graphId);
  url.hash = '';
  return url.toString();
}

/** Points this tab at `graphId` and drops the consumed hash, without reloading. */
export function settleUrl(graphId: string) {
  history.replaceState(null, '', graphUrl(graphId));
}
