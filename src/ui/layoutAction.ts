/** Auto-layout of the whole graph as one undoable move, then frame the result at a readable zoom. */
import { editorStore } from '../store';
import { layoutPositions } from '../store/layout';

export async function runAutoLayout() {
  const { doc, registry, measured } = editorStore.getState();
  try {
    const positions = await layoutPositions(doc, registry, measured);
    // The user may have edited while elk worked; only apply to the graph that was laid out.
    if (editorStore.getState().doc !== doc) return;
    editorStore.getState().moveNodes(positions);
    // Like an opened graph: readable, data side first; Fit shows all of it.
    editorStore.getState().frameOpened();
  } catch (e) {
    editorStore.getState().notify('error', `Auto-layout failed: ${(e as Error).message}`);
  }
}
