/** The editor's frame: toolbar, palette, canvas, inspector, the bottom dock and the overlays. */
import { useCallback, useEffect } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { editorStore, useEditor } from '../store';
import type { EditorState } from '../store';
import type { Autosave } from '../store/autosave';
import { rememberTheme } from './bootstrap';
import { Canvas } from './canvas/Canvas';
import { Inspector } from './inspector/Inspector';
import { BlockView } from './overlays/BlockView';
import { Banners } from './overlays/Banners';
import { HelpOverlay } from './overlays/HelpOverlay';
import { Notices } from './overlays/Notices';
import { PresetGallery } from './overlays/PresetGallery';
import { RecentGraphs } from './overlays/RecentGraphs';
import { ShareDialog } from './overlays/ShareDialog';
import { BottomDock } from './panels/BottomDock';
import { Palette } from './palette/Palette';
import { QuickAdd } from './palette/QuickAdd';
import { useShortcuts } from './shortcuts';
import { Toolbar } from './toolbar/Toolbar';

export function App({ autosave }: { autosave: Autosave | null }) {
  const theme = useEditor((s) => s.theme);
  const overlay = useEditor((s) => s.overlay);
  const openBlockId = useEditor((s) => s.openBlockId);
  const close = useCallback(() => editorStore.getState().setOverlay(null), []);
  const closeBlock = useCallback(() => editorStore.getState().openBlock(null), []);
  const title = useEditor((s) => s.doc.meta.title);
  useShortcuts();
  useFocusAfterDelete();
  useEffect(() => rememberTheme(theme), [theme]);

  return (
    <ReactFlowProvider>
      <div className="app" data-testid="app">
        <Toolbar />
        <Banners autosave={autosave} />
        <div className="workspace">
          <Palette />
          <main className="center">
            <h1 className="visually-hidden">Latent Lab: {title}</h1>
            <Canvas />
            <BottomDock />
          </main>
          <Inspector />
        </div>
        {overlay === 'help' && <HelpOverlay onClose={close} />}
        {overlay === 'gallery' && <PresetGallery onClose={close} />}
        {overlay === 'share' && <ShareDialog onClose={close} />}
        {overlay === 'recent' && <RecentGraphs onClose={close} />}
        {overlay === 'quickAdd' && <QuickAdd onClose={close} />}
        {openBlockId && <BlockView nodeId={openBlockId} onClose={closeBlock} />}
        <Notices />
      </div>
    </ReactFlowProvider>
  );
}

/**
 * Deleting the focused node or edge would drop the keyboard focus to the page
 * (the next Tab starts over at the toolbar): give it to a node next to what
 * went, else any node, else the palette's search to add the next one.
 */
function useFocusAfterDelete() {
  useEffect(
    () =>
      editorStore.subscribe((state, prev) => {
        if (state.doc.nodes.length + state.doc.edges.length >= prev.doc.nodes.length + prev.doc.edges.length) return;
        requestAnimationFrame(() => {
          const active = document.activeElement;
          if (active && active !== document.body && active.isConnected) return;
          const near = neighboursOfRemoved(state, prev).map((id) =>
            document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(id)}"]`),
          );
          const target =
            near.find((el) => !!el) ??
            document.querySelector<HTMLElement>('.react-flow__node') ??
            document.querySelector<HTMLElement>('[data-testid="palette-search"]');
          target?.focus();
        });
      }),
    [],
  );
}

function neighboursOfRemoved(state: EditorState, prev: EditorState): string[] {
  const kept = new Set(state.doc.nodes.map((n) => n.id));
  const keptEdges = new Set(state.doc.edges.map((e) => e.id));
  const goneNodes = new Set(prev.doc.nodes.filter((n) => !kept.has(n.id)).map((n) => n.id));
  return prev.doc.edges
    .filter((e) => !keptEdges.has(e.id) || goneNodes.has(e.source) || goneNodes.has(e.target))
    .flatMap((e) => [e.target, e.source])
    .filter((id) => kept.has(id));
}
