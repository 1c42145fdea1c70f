/** The bottom dock: problems and the run panel share it as tabs. */
import { useEffect, useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { editorStore, useCompiled, useEditor } from '../../store';
import { clampDock, DOCK_SIZE_KEY, dockFractionAt, parseDockSizes } from './dockSize';
import { RunPanel } from '../run/RunPanel';
import { ErrorsPanel } from './ErrorsPanel';

type Tab = 'problems' | 'run';

export function BottomDock() {
  const { tab, open, sizes, maximized } = useEditor((s) => s.dock);
  const size = sizes[tab];
  const setDock = editorStore.getState().setDock;
  const setOpen = (o: boolean) => setDock({ open: o, ...(o ? {} : { maximized: false }) });
  const dock = useRef<HTMLElement>(null);
  // The split is remembered: read once, written on every change.
  useEffect(() => setDock({ sizes: parseDockSizes(localStorage.getItem(DOCK_SIZE_KEY), editorStore.getState().dock.sizes) }), [setDock]);
  useEffect(() => localStorage.setItem(DOCK_SIZE_KEY, JSON.stringify(sizes)), [sizes]);
  const setSize = (f: number) => setDock({ sizes: { ...editorStore.getState().dock.sizes, [tab]: f }, maximized: false });
  const column = () => dock.current?.parentElement?.getBoundingClientRect();
  const drag = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    const move = (ev: globalThis.PointerEvent) => {
      const rect = column();
      if (rect) setSize(dockFractionAt(ev.clientY, rect));
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  const nudge = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.key === 'ArrowUp' ? 0.05 : e.key === 'ArrowDown' ? -0.05 : 0;
    if (!step) return;
    e.preventDefault();
    setSize(clampDock(size + step));
  };
  const compiled = useCompiled();
  const errors = compiled.errors.filter((e) => e.severity === 'error').length;
  const warnings = compiled.errors.length - errors;
  const choose = (t: Tab) => editorStore.getState().setDock({ tab: t, open: true });
  const height = !open ? undefined : maximized ? '100%' : `${Math.round(size * 1000) / 10}%`;
  return (
    <section className={`dock${open ? '' : ' closed'}`} data-testid="dock" ref={dock} style={{ height }}>
      {open && (
        <div
          className="dock-resize"
          role="separator"
          aria-orientation="horizontal"
          aria-label="Resize the canvas and the panel (drag, or arrow keys)"
          aria-valuemin={15}
          aria-valuemax={90}
          aria-valuenow={Math.round((maximized ? 1 : size) * 100)}
          tabIndex={0}
          onPointerDown={drag}
          onKeyDown={nudge}
          onDoubleClick={() => setDock({ maximized: !maximized })}
          data-testid="dock-resize"
        />
      )}
      <h2 className="visually-hidden">Bottom panel</h2>
      <div className="dock-tabs">
        <div className="dock-tablist" role="tablist" aria-label="Bottom panel">
          <button
            role="tab"
            id="dock-tab-problems"
            aria-controls={open ? 'dock-panel' : undefined}
            aria-selected={tab === 'problems'}
            className={tab === 'problems' ? 'active' : ''}
            onClick={() => choose('problems')}
            data-testid="tab-problems"
          >
            Problems
            <span className={`count${errors ? ' bad' : ''}`} data-testid="error-count">
              {errors}
            </span>
            {warnings > 0 && <span className="count warn">{warnings}</span>}
          </button>
          <button
            role="tab"
            id="dock-tab-run"
            aria-controls={open ? 'dock-panel' : undefined}
            aria-selected={tab === 'run'}
            className={tab === 'run' ? 'active' : ''}
            onClick={() => choose('run')}
            data-testid="tab-run"
          >
            Run
          </button>
        </div>
        <button
          className="icon-button dock-toggle"
          onClick={() => setDock({ open: true, maximized: !maximized })}
          aria-label={maximized ? 'Show the canvas again' : 'Give the panel the whole height'}
          title={maximized ? 'Show the canvas again' : 'Give the panel the whole height (double-click the edge too)'}
          data-testid="dock-maximize"
        >
          {maximized ? '⤡' : '⤢'}
        </button>
        <button
          className="icon-button"
          title={open ? 'Collapse the panel: the canvas gets the whole height' : 'Show the panel'}
          onClick={() => setOpen(!open)}
          aria-label={open ? 'Collapse panel' : 'Expand panel'}
        >
          {open ? '▾' : '▴'}
        </button>
      </div>
      {open && (
        <div className="dock-body" role="tabpanel" id="dock-panel" aria-labelledby={`dock-tab-${tab}`}>
          {/* The run views head themselves with h4: this level sits between them and the panel's h2. */}
          <h3 className="visually-hidden">{tab === 'problems' ? 'Problems' : 'Run'}</h3>
          {tab === 'problems' ? <ErrorsPanel /> : <RunPanel />}
        </div>
      )}
    </section>
  );
}
