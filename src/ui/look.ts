/** Colours and names shared by the palette, nodes, edges and minimap. */
import type { Category, PortType } from '../graph/nodeApi';

export const CATEGORY_LOOK: Record<Category, { label: string; color: string }> = {
  data: { label: 'Data', color: '#0e9f6e' },
  layers: { label: 'Layers', color: '#3f83f8' },
  blocks: { label: 'Blocks', color: '#7e3af2' },
  sampling: { label: 'Sampling', color: '#d61f69' },
  flows: { label: 'Flows', color: '#0694a2' },
  losses: { label: 'Losses', color: '#e3a008' },
  training: { label: 'Training', color: '#ff5a1f' },
};

export const PORT_COLOR: Record<PortType, string> = {
  tensor: '#3f83f8',
  loss: '#e3a008',
};

export function categoryColor(category: string | undefined): string {
  return CATEGORY_LOOK[category as Category]?.color ?? '#9ca3af';
}
