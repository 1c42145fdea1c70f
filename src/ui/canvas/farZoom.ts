/**
 * Below FAR_ZOOM a node's text is a few pixels high: a node is drawn as its
 * title and colour with its handles where the edges meet it, an edge without
 * its label, a fraction of the elements to style and paint, so a big graph
 * pans and drags smoothly.
 */
import { createContext } from 'react';
import type { ReactFlowState } from '@xyflow/react';

export const FAR_ZOOM = 0.2;
export const zoomedFar = (s: ReactFlowState) => s.transform[2] < FAR_ZOOM;

/** Read once by the canvas and handed down: a store subscription in every node and edge would run on every frame of a drag. */
export const FarZoom = createContext(false);
