/** The editor's frame: toolbar, palette, canvas, inspector, the bottom dock and the overlays. */
import { useCallback, useEffect } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { editorStore, useEditor } from '../store';
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
  useShortcuts();
  useEffect(() => rememberTheme(theme), [theme]);

  return (
    <ReactFlowProvider>
      <div className="app" data-testid="app">
        <Toolbar />
        <Banners autosave={autosave} />
        <div className="workspace">
          <Palette />
          <main className="center">
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
