/** Where a new node goes when the user did not point at a spot: near the view centre, never on top of another node. */
import type { GraphDocument } from '../../graph/document';
import type { XY } from '../../store/docOps';

export const GRID = 20;
const snap = (v: number) => Math.round(v / GRID) * GRID;

export function freeSpot(doc: GraphDocument, near: XY): XY {
  const spot = { x: snap(near.x - 100), y: snap(near.y - 50) };
  const busy = () => doc.nodes.some((n) => Math.abs(n.position.x - spot.x) < 160 && Math.abs(n.position.y - spot.y) < 90);
  for (let i = 0; i < 200 && busy(); i++) {
    spot.y += 100;
    if (i % 6 === 5) {
      spot.x += 220;
      spot.y -= 600;
    }
  }
  return spot;
}
