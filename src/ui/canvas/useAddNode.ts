/** Adding a node from the palette or quick-add: at a pointed spot, or at a free spot in the middle of the view. */
import { useCallback } from 'react';
import { useReactFlow } from '@xyflow/react';
import { editorStore } from '../../store';
import { freeSpot, GRID } from './placement';

export const NODE_DRAG_TYPE = 'application/x-latent-lab-node';

export function useAddNode() {
  const flow = useReactFlow();
  return useCallback(
    (type: string, screen?: { x: number; y: number }) => {
      const state = editorStore.getState();
      let position;
      if (screen) {
        const p = flow.screenToFlowPosition(screen);
        position = { x: Math.round(p.x / GRID) * GRID, y: Math.round(p.y / GRID) * GRID };
      } else {
        const rect = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
        const center = rect ? flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }) : { x: 0, y: 0 };
        position = freeSpot(state.doc, center);
      }
      return state.addNode(type, position);
    },
    [flow],
  );
}
