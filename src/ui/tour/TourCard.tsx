/**
 * The card of a guided tour: the step's text (as text only), where it points,
 * Back / Next and a counter. It takes the keyboard focus when it opens and
 * gives it back when it closes, as the app's dialogs do, but it is not modal
 * and does not trap Tab: the learner is meant to try what a step points at.
 * ← and → move between steps, Esc closes.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { TourStep } from '../../graph/document';
import { editorStore, useEditor } from '../../store';
import { findNode, findView, highlight, openView, showNode, VIEW_PLACES } from './targets';
import { tourStore } from './tourStore';

/** After this long without its target, a step says why it may not be drawn yet (a view appears once the run panel has the compiled graph). */
const HINT_AFTER_MS = 1_500;
const LOOK_EVERY_MS = 200;

type Found = 'looking' | 'found' | 'waiting' | 'missing';

/** Opens and highlights the step's target, looking again until it is drawn; returns what the card says about it. */
function useTarget(step: TourStep): Found {
  const nodeExists = useEditor((s) => !step.target?.node || s.doc.nodes.some((n) => n.id === step.target?.node));
  // Which step the last look was for: a new step is 'looking' until its own look ends.
  const [looked, setLooked] = useState<{ step: TourStep; found: Found } | null>(null);
  useEffect(() => {
    const target = step.target;
    if (!target || !nodeExists) return;
    if (target.node) showNode(target.node);
    else if (target.view) openView(target.view);
    const started = performance.now();
    let undo: (() => void) | null = null;
    const look = () => {
      const el = target.node ? findNode(target.node) : findView(target.view!);
      if (el) {
        clearInterval(timer);
        undo = highlight(el);
        if (target.view) el.scrollIntoView({ block: 'nearest' });
        setLooked({ step, found: 'found' });
      } else if (performance.now() - started > HINT_AFTER_MS) setLooked({ step, found: 'waiting' });
    };
    const timer = setInterval(look, LOOK_EVERY_MS);
    // The node is drawn already: the ring shows at once, while the canvas moves to it.
    look();
    return () => {
      clearInterval(timer);
      undo?.();
    };
  }, [step, nodeExists]);
  if (!step.target) return 'found';
  if (!nodeExists) return 'missing';
  return looked?.step === step ? looked.found : 'looking';
}

function Where({ step, found }: { step: TourStep; found: Found }) {
  const node = useEditor((s) => s.doc.nodes.find((n) => n.id === step.target?.node));
  const target = step.target;
  if (!target) return null;
  if (target.node) {
    if (!node)
      return (
        <p className="tour-where warn" data-testid="tour-where">
          This step points at the node “{target.node}”, which this graph does not have (deleted, or misspelt in the tour).
        </p>
      );
    return (
      <p className="tour-where" data-testid="tour-where">
        On the canvas: <strong>{node.label || node.id}</strong> (selected; the inspector shows it)
      </p>
    );
  }
  const name = VIEW_PLACES[target.view!].name;
  return (
    <p className={`tour-where${found === 'waiting' ? ' warn' : ''}`} data-testid="tour-where">
      {found === 'waiting' ? (
        <>Look at {name}: it appears once the graph compiles (see the Problems tab), and fills in while it trains (▶ Train).</>
      ) : (
        <>
          Look at <strong>{name}</strong>
        </>
      )}
    </p>
  );
}

export function TourCard({ steps, index }: { steps: TourStep[]; index: number }) {
  const step = steps[index];
  const last = index === steps.length - 1;
  const card = useRef<HTMLElement>(null);
  const next = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const textId = useId();
  const found = useTarget(step);
  const { go, close } = tourStore.getState();
  const forward = () => (last ? close() : go(index + 1));
  const back = () => index > 0 && go(index - 1);

  // Read on the first render: where the focus goes back to when the tour ends.
  const before = useRef(document.activeElement as HTMLElement | null);
  useEffect(() => {
    const back = before.current;
    return () => {
      if (back && back !== document.body && back.isConnected) back.focus();
    };
  }, []);
  // The focus stays on the card: a Back that became disabled on the first step would drop it to the page.
  useEffect(() => {
    if (!card.current?.contains(document.activeElement)) next.current?.focus();
  }, [index]);
  // Esc closes the tour from anywhere, unless a dialog above it takes the key.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = editorStore.getState();
      if (e.key === 'Escape' && !s.overlay && !s.openBlockId) tourStore.getState().close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const keys = (e: ReactKeyboardEvent) => {
    const act = e.key === 'ArrowRight' ? forward : e.key === 'ArrowLeft' ? back : e.key === 'Escape' ? close : null;
    if (!act) return;
    // The canvas's own keys (Escape clears the selection) must not act on the step's target too.
    e.preventDefault();
    e.stopPropagation();
    act();
  };

  return (
    <section
      ref={card}
      className="tour-card"
      role="dialog"
      aria-labelledby={titleId}
      aria-describedby={textId}
      data-testid="tour-card"
      onKeyDown={keys}
    >
      <div className="tour-head">
        <h2 id={titleId}>Guided tour</h2>
        <span className="tour-count" data-testid="tour-count">
          Step {index + 1} of {steps.length}
        </span>
        <button className="icon-button" onClick={close} aria-label="Close the tour" title="Close the tour (Esc)" data-testid="tour-close">
          ×
        </button>
      </div>
      <div aria-live="polite">
        <p id={textId} className="tour-text" data-testid="tour-text">
          {step.text}
        </p>
        <Where step={step} found={found} />
      </div>
      <div className="tour-nav">
        <span className="tour-keys">← → move, Esc closes</span>
        <button onClick={back} disabled={index === 0} data-testid="tour-back">
          ← Back
        </button>
        <button ref={next} className="primary" onClick={forward} data-testid="tour-next">
          {last ? 'Finish' : 'Next →'}
        </button>
      </div>
    </section>
  );
}
