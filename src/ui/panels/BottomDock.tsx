/** The bottom dock: problems and the run panel share it as tabs. */
import { editorStore, useCompiled, useEditor } from '../../store';
import { RunPanel } from '../run/RunPanel';
import { ErrorsPanel } from './ErrorsPanel';

type Tab = 'problems' | 'run';

export function BottomDock() {
  const { tab, open } = useEditor((s) => s.dock);
  const setOpen = (o: boolean) => editorStore.getState().setDock({ open: o });
  const compiled = useCompiled();
  const errors = compiled.errors.filter((e) => e.severity === 'error').length;
  const warnings = compiled.errors.length - errors;
  const choose = (t: Tab) => editorStore.getState().setDock({ tab: t, open: true });
  return (
    <section className={`dock${open ? '' : ' closed'}`} data-testid="dock">
      <nav className="dock-tabs" role="tablist">
        <button
          role="tab"
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
          aria-selected={tab === 'run'}
          className={tab === 'run' ? 'active' : ''}
          onClick={() => choose('run')}
          data-testid="tab-run"
        >
          Run
        </button>
        <button className="icon-button dock-toggle" onClick={() => setOpen(!open)} aria-label={open ? 'Collapse panel' : 'Expand panel'}>
          {open ? '▾' : '▴'}
        </button>
      </nav>
      {open && <div className="dock-body">{tab === 'problems' ? <ErrorsPanel /> : <RunPanel />}</div>}
    </section>
  );
}
