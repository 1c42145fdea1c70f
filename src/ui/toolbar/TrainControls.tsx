/**
 * Train from the toolbar: the first thing a learner looks for, visible on
 * first load. It opens the Run tab, hands the worker the current graph and
 * plays; while training it pauses. A graph with errors cannot be trained, and
 * the button says why.
 */
import { editorStore, useCompiled } from '../../store';
import { counterName } from '../run/counter';
import { run, useRun } from '../run/runStore';

export function TrainControls() {
  const running = useRun((s) => s.running);
  const step = useRun((s) => s.step);
  const info = useRun((s) => s.info);
  const started = info !== null;
  const errors = useCompiled().errors.filter((e) => e.severity === 'error').length;
  const train = () => {
    const s = editorStore.getState();
    s.setDock({ tab: 'run', open: true });
    // The worker handles messages in order: it compiles this graph before it plays. Train means "train what is
    // on the canvas": a changed graph keeps the weights that still fit (as "Keep matching weights" would), so
    // a pending keep/restart question never leaves the previous model playing.
    run.load(s.doc, { onChange: 'keep' });
    run.play();
  };
  return (
    <div className="toolbar-group train-controls">
      {running ? (
        <button className="primary" onClick={run.pause} data-testid="btn-pause" title="Pause training">
          ❚❚ Pause
        </button>
      ) : (
        <button
          className="primary"
          onClick={train}
          disabled={errors > 0}
          data-testid="btn-train"
          title={errors > 0 ? `Fix ${errors} problem${errors === 1 ? '' : 's'} first (see the Problems tab)` : 'Train this graph'}
        >
          ▶ Train
        </button>
      )}
      {started && (
        <span className="toolbar-step" data-testid="toolbar-step">
          {counterName(info)} {step}
        </span>
      )}
    </div>
  );
}
