/**
 * The exercise over the canvas. The author writes tasks (text, a typed check,
 * hints) and previews; the learner sees the tasks as a checklist that turns
 * green live, unlocks hints one at a time and may reveal the solution.
 * Everything from the document is rendered as React text.
 */
import { memo, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ExerciseCheck, ExerciseTask } from '../../graph/document';
import { editorStore, useCompiled, useEditor } from '../../store';
import { evaluateTasks } from '../../store/exercise';
import { groupTitleId } from '../canvas/GroupFrame';
import { useRun } from '../run/runStore';
import './exercise.css';

// A page opened with ?mode=author may author an exercise it opens; read once, before the graph opens.
if (new URLSearchParams(location.search).get('mode') === 'author') editorStore.getState().allowAuthoring();

const CHECK_KINDS: { kind: ExerciseCheck['kind']; label: string }[] = [
  { kind: 'compiles', label: 'the graph compiles' },
  { kind: 'edge', label: 'an edge exists' },
  { kind: 'param', label: 'a parameter has a value' },
  { kind: 'metricBelow', label: 'a loss is below a value' },
  { kind: 'question', label: 'a typed answer' },
];

function defaultCheck(kind: ExerciseCheck['kind'], nodeId: string): ExerciseCheck {
  switch (kind) {
    case 'compiles':
      return { kind };
    case 'edge':
      return { kind, from: { node: nodeId }, to: { node: nodeId } };
    case 'param':
      return { kind, node: nodeId, param: '', equals: 0 };
    case 'metricBelow':
      return { kind, term: 'loss', value: 100, afterSteps: 100 };
    case 'question':
      return { kind, answer: 'answer' };
  }
}

/** Memoised: it takes no props, so the canvas's render on every drag frame does not re-run it. */
export const ExercisePanel = memo(function ExercisePanel() {
  const exercise = useEditor((s) => s.doc.exercise);
  const role = useEditor((s) => s.exerciseRole);
  const mayAuthor = useEditor((s) => s.mayAuthor);
  if (!exercise) return <TeachMenu />;
  return role === 'author' ? <AuthorView /> : <LearnerView mayAuthor={mayAuthor} />;
});

/** The author's tools as one small menu in the canvas's corner, so they cover no nodes until asked for. */
function TeachMenu() {
  const [open, setOpen] = useState(false);
  const close = () => setOpen(false);
  return (
    <div
      className="teach-menu"
      onKeyDown={(e) => e.key === 'Escape' && open && (e.stopPropagation(), close())}
      onBlur={(e) => !e.currentTarget.contains(e.relatedTarget as Node | null) && close()}
    >
      <button aria-expanded={open} aria-controls="teach-menu-items" onClick={() => setOpen(!open)} data-testid="teach-menu">
        Teach ▾
      </button>
      {open && (
        <div id="teach-menu-items" className="teach-menu-items" role="group" aria-label="Teaching tools" onClick={close}>
          <button data-testid="exercise-start" onClick={() => editorStore.getState().startExercise()}>
            Make an exercise
          </button>
          <AddStickyNote />
          <FrameSelection />
        </div>
      )}
    </div>
  );
}

const collapsedKey = (title: string) => `latent-lab:exercise-panel-collapsed:${title}`;

/** Whether the panel is folded to its chip, remembered per document (by title) for this browser session. */
function useCollapsed(): [boolean, (v: boolean) => void] {
  const title = useEditor((s) => s.doc.meta.title);
  const read = () => {
    try {
      return sessionStorage.getItem(collapsedKey(title)) === '1';
    } catch {
      return false;
    }
  };
  const [state, setState] = useState({ title, collapsed: read() });
  // Another document opened: its own remembered state.
  const collapsed = state.title === title ? state.collapsed : read();
  const set = (v: boolean) => {
    setState({ title, collapsed: v });
    try {
      if (v) sessionStorage.setItem(collapsedKey(title), '1');
      else sessionStorage.removeItem(collapsedKey(title));
    } catch {
      // Storage may be off (a private window): the panel still folds, it is only not remembered.
    }
  };
  return [collapsed, set];
}

const BODY_ID = 'exercise-panel-body';

/**
 * The panel's frame: a heading with a fold button, or, folded, one chip with
 * the count of tasks done, so the canvas's top-right is free.
 */
function FoldablePanel(props: { testId: string; label: string; heading: string; done: number; total: number; children: ReactNode }) {
  const [collapsed, setFolded] = useCollapsed();
  const { done, total } = props;
  // The button pressed goes away: its counterpart takes the focus, so a keyboard user is not dropped to the page.
  const moveFocus = useRef(false);
  const setCollapsed = (v: boolean) => {
    moveFocus.current = true;
    setFolded(v);
  };
  const takeFocus = (el: HTMLButtonElement | null) => {
    if (el && moveFocus.current) {
      moveFocus.current = false;
      el.focus();
    }
  };
  if (collapsed) {
    return (
      <aside className="exercise-panel collapsed" data-testid={props.testId} aria-label={props.label}>
        <button
          className="exercise-chip"
          ref={takeFocus}
          data-testid="exercise-expand"
          aria-expanded={false}
          aria-controls={BODY_ID}
          aria-label={`Tasks ${done}/${total} (${done} of ${total} done): show the exercise panel`}
          onClick={() => setCollapsed(false)}
        >
          Tasks {done}/{total} <span aria-hidden="true">✓</span>
        </button>
      </aside>
    );
  }
  return (
    <aside className="exercise-panel" data-testid={props.testId} aria-label={props.label}>
      <div className="exercise-head">
        <h2>{props.heading}</h2>
        <button
          className="exercise-fold"
          ref={takeFocus}
          data-testid="exercise-collapse"
          aria-expanded={true}
          aria-controls={BODY_ID}
          aria-label="Hide the exercise panel"
          title="Hide the exercise panel (its chip keeps the count of tasks done)"
          onClick={() => setCollapsed(true)}
        >
          Hide
        </button>
      </div>
      <div id={BODY_ID}>{props.children}</div>
    </aside>
  );
}

/** A titled frame around the selected nodes (at least one selected). */
function FrameSelection() {
  const count = useEditor((s) => s.selectedNodeIds.length);
  return (
    <button
      data-testid="group-add"
      disabled={count === 0}
      title={count ? 'A titled frame drawn around the selected nodes' : 'Select the nodes to frame first'}
      onClick={() => {
        const id = editorStore.getState().addGroupAroundSelection('Group');
        // The new frame's title takes the focus, ready to be typed over.
        if (id) requestAnimationFrame(() => (document.getElementById(groupTitleId(id)) as HTMLInputElement | null)?.select());
      }}
    >
      Frame selected nodes
    </button>
  );
}

function AddStickyNote() {
  return (
    <button
      data-testid="sticky-add"
      title="A note on the canvas, shown as plain text"
      onClick={() => {
        const s = editorStore.getState();
        const xs = s.doc.nodes.map((n) => n.position.x);
        const ys = s.doc.nodes.map((n) => n.position.y);
        s.addStickyNote({ x: xs.length ? Math.min(...xs) : 0, y: ys.length ? Math.min(...ys) - 160 : 0 });
      }}
    >
      Add sticky note
    </button>
  );
}

/** Live results: the document's checks, the run's loss curve, the learner's answers. */
function useResults() {
  const doc = useEditor((s) => s.doc);
  const registry = useEditor((s) => s.registry);
  const answers = useEditor((s) => s.exerciseAnswers);
  const compiled = useCompiled();
  const curves = useRun((s) => s.curves);
  return useMemo(
    () => (doc.exercise ? evaluateTasks(doc.exercise, { doc, registry, compiled, curves, answers }) : []),
    [doc, registry, compiled, curves, answers],
  );
}

function LearnerView({ mayAuthor }: { mayAuthor: boolean }) {
  const results = useResults();
  const answers = useEditor((s) => s.exerciseAnswers);
  const hintsShown = useEditor((s) => s.hintsShown);
  const blanks = useEditor((s) => s.doc.exercise?.blanks ?? []);
  const nodes = useEditor((s) => s.doc.nodes);
  const edges = useEditor((s) => s.doc.edges);
  const hasSolution = useEditor((s) => !!s.doc.exercise?.solution);
  const s = editorStore.getState();
  const done = results.filter((r) => r.done).length;
  // Blanks on the canvas still without an edge (an exercise may also leave a blank out, for the learner to add).
  const unwired = blanks.filter((id) => nodes.some((n) => n.id === id) && !edges.some((e) => e.source === id || e.target === id));
  return (
    <FoldablePanel
      testId="exercise-learner"
      label="Exercise"
      heading={`Exercise · ${done} of ${results.length} done`}
      done={done}
      total={results.length}
    >
      {unwired.length > 0 && (
        <p className="small" data-testid="exercise-blanks">
          To fill in: {unwired.join(', ')} (unwired on the canvas).
        </p>
      )}
      <ol className="exercise-tasks">
        {results.map(({ task, done, detail }) => {
          const shown = hintsShown[task.id] ?? 0;
          return (
            <li key={task.id} className={`exercise-task${done ? ' done' : ''}`} data-testid={`task-${task.id}`} data-done={done}>
              <div className="task-line">
                <span className="task-mark" aria-hidden="true">
                  {done ? '✓' : ''}
                </span>
                <div>
                  <div>{task.text}</div>
                  <div className="task-detail">{done ? `Done: ${detail}` : detail}</div>
                </div>
              </div>
              {task.check.kind === 'question' && (
                <input
                  aria-label={`Answer to: ${task.text}`}
                  data-testid={`task-answer-${task.id}`}
                  value={answers[task.id] ?? ''}
                  maxLength={500}
                  placeholder="Type your answer"
                  onChange={(e) => s.setExerciseAnswer(task.id, e.target.value)}
                />
              )}
              {task.hints.slice(0, shown).map((h, i) => (
                <div key={i} className="task-hint">
                  Hint {i + 1}: {h}
                </div>
              ))}
              {!done && shown < task.hints.length && (
                <button className="link-button" data-testid={`task-hint-${task.id}`} onClick={() => s.showNextHint(task.id)}>
                  Show hint {shown + 1} of {task.hints.length}
                </button>
              )}
            </li>
          );
        })}
      </ol>
      <div className="exercise-actions">
        {hasSolution && (
          <button
            data-testid="exercise-reveal"
            onClick={() => {
              if (window.confirm('Reveal the solution? The blanks are filled in as the author wired them (Undo takes it back).'))
                s.revealSolution();
            }}
          >
            Reveal solution
          </button>
        )}
        {mayAuthor && (
          <button data-testid="exercise-author-mode" onClick={() => s.setExerciseRole('author')}>
            Back to author mode
          </button>
        )}
      </div>
    </FoldablePanel>
  );
}

function AuthorView() {
  const exercise = useEditor((s) => s.doc.exercise)!;
  const nodes = useEditor((s) => s.doc.nodes);
  const results = useResults();
  const s = editorStore.getState();
  const locked = nodes.filter((n) => n.locked).map((n) => n.id);
  const done = results.filter((r) => r.done).length;
  return (
    <FoldablePanel
      testId="exercise-author"
      label="Exercise (author)"
      heading="Exercise · author view"
      done={done}
      total={exercise.tasks.length}
    >
      <p className="small">
        Locked: {locked.length ? locked.join(', ') : 'none'} · Blanks: {exercise.blanks.length ? exercise.blanks.join(', ') : 'none'}. Lock
        or blank a node in the inspector.
      </p>
      <ol className="exercise-tasks">
        {exercise.tasks.map((task, i) => (
          <TaskEditor key={task.id} task={task} index={i} nodeIds={nodes.map((n) => n.id)} done={results[i]?.done ?? false} />
        ))}
      </ol>
      <div className="exercise-actions">
        <button
          data-testid="task-add"
          onClick={() => s.addTask({ text: `Task ${exercise.tasks.length + 1}`, check: { kind: 'compiles' }, hints: [] })}
        >
          Add task
        </button>
        <AddStickyNote />
        <FrameSelection />
        <button data-testid="exercise-preview" onClick={() => s.setExerciseRole('learner')}>
          Preview as learner
        </button>
      </div>
      <p className="small muted">Share the graph (Share in the toolbar): the link opens as this exercise, in the learner’s view.</p>
    </FoldablePanel>
  );
}

const parseValue = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

function TaskEditor({ task, index, nodeIds, done }: { task: ExerciseTask; index: number; nodeIds: string[]; done: boolean }) {
  const s = editorStore.getState();
  const c = task.check;
  const setCheck = (check: ExerciseCheck) => s.updateTask(task.id, { check });
  const id = (f: string) => `task-${index}-${f}`;
  const nodeSelect = (f: string, value: string | undefined, onChange: (v: string) => void) => (
    <select id={id(f)} data-testid={id(f)} value={value ?? ''} onChange={(e) => onChange(e.target.value)}>
      {nodeIds.map((n) => (
        <option key={n} value={n}>
          {n}
        </option>
      ))}
    </select>
  );
  return (
    <li className={`exercise-task${done ? ' done' : ''}`} data-testid={`task-edit-${index}`}>
      <label htmlFor={id('text')} className="small">
        Task {index + 1} {done ? '(passes now)' : ''}
      </label>
      <textarea
        id={id('text')}
        data-testid={id('text')}
        value={task.text}
        maxLength={2000}
        rows={2}
        onChange={(e) => s.updateTask(task.id, { text: e.target.value })}
      />
      <label className="small" htmlFor={id('kind')}>
        Check
      </label>
      <select
        id={id('kind')}
        data-testid={id('kind')}
        value={c.kind}
        onChange={(e) => setCheck(defaultCheck(e.target.value as ExerciseCheck['kind'], nodeIds[0] ?? 'node'))}
      >
        {CHECK_KINDS.map((k) => (
          <option key={k.kind} value={k.kind}>
            {k.label}
          </option>
        ))}
      </select>
      <div className="task-fields">
        {c.kind === 'edge' && (
          <>
            <label>from node{nodeSelect('from', c.from.node, (v) => setCheck({ ...c, from: { ...c.from, node: v } }))}</label>
            <label>
              from port
              <input
                data-testid={id('from-port')}
                value={c.from.port ?? ''}
                onChange={(e) => setCheck({ ...c, from: { ...c.from, port: e.target.value || undefined } })}
              />
            </label>
            <label>to node{nodeSelect('to', c.to.node, (v) => setCheck({ ...c, to: { ...c.to, node: v } }))}</label>
            <label>
              to port
              <input
                data-testid={id('to-port')}
                value={c.to.port ?? ''}
                onChange={(e) => setCheck({ ...c, to: { ...c.to, port: e.target.value || undefined } })}
              />
            </label>
          </>
        )}
        {c.kind === 'param' && (
          <>
            <label>node{nodeSelect('node', c.node, (v) => setCheck({ ...c, node: v }))}</label>
            <label>
              parameter
              <input data-testid={id('param')} value={c.param} onChange={(e) => setCheck({ ...c, param: e.target.value || 'param' })} />
            </label>
            <label>
              equals
              <input
                data-testid={id('equals')}
                defaultValue={JSON.stringify(c.equals)}
                onBlur={(e) => setCheck({ ...c, equals: parseValue(e.target.value) })}
              />
            </label>
          </>
        )}
        {c.kind === 'metricBelow' && (
          <>
            <label>
              loss term
              <input data-testid={id('term')} value={c.term} onChange={(e) => setCheck({ ...c, term: e.target.value || 'loss' })} />
            </label>
            <label>
              below
              <input
                type="number"
                data-testid={id('value')}
                value={c.value}
                onChange={(e) => setCheck({ ...c, value: Number(e.target.value) || 0 })}
              />
            </label>
            <label>
              after steps
              <input
                type="number"
                min={0}
                data-testid={id('steps')}
                value={c.afterSteps}
                onChange={(e) => setCheck({ ...c, afterSteps: Math.max(0, Math.round(Number(e.target.value) || 0)) })}
              />
            </label>
          </>
        )}
        {c.kind === 'question' && (
          <label>
            answer
            <input data-testid={id('answer')} value={c.answer} onChange={(e) => setCheck({ ...c, answer: e.target.value || 'answer' })} />
          </label>
        )}
      </div>
      <label className="small" htmlFor={id('hints')}>
        Hints, one a line
      </label>
      <textarea
        id={id('hints')}
        data-testid={id('hints')}
        rows={2}
        defaultValue={task.hints.join('\n')}
        onBlur={(e) =>
          s.updateTask(task.id, {
            hints: e.target.value
              .split('\n')
              .map((h) => h.trim())
              .filter(Boolean)
              .slice(0, 20),
          })
        }
      />
      <button className="link-button" data-testid={id('remove')} onClick={() => s.removeTask(task.id)}>
        Remove task
      </button>
    </li>
  );
}
