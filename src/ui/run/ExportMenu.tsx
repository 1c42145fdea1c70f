/**
 * "Export model ▾" (the toolbar's Export saves the graph file): every way a
 * model leaves the editor, in one menu with a line on each (a menu button:
 * Enter, Space or ↓ opens it on the first item, ↑ on the last; ↑ ↓ Home End
 * move, Escape closes it back onto the button, Tab moves on).
 * The work itself is in exportActions.ts; its notice is drawn by ExportNotice.
 */
import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { editorStore } from '../../store';
import {
  dismissExportNotice,
  exportBundle,
  exportPytorchZip,
  exportSamplerPage,
  exportTfjs,
  useExport,
  type ExportKind,
} from './exportActions';
import { useHistoryStore } from './historyStore';
import './exportMenu.css';

interface Item {
  kind: ExportKind;
  label: string;
  /** What the file is and what it is for, in a line. */
  explains: string;
  /** Why it cannot be chosen now; null when it can. */
  unavailable: string | null;
  act: () => void | Promise<void>;
}

/** Where the menu goes: under the button, or over it when the page ends first (the run panel is a dock at the bottom). */
interface Place {
  left: number;
  top?: number;
  bottom?: number;
}

export function ExportMenu(props: { modelReady: boolean; graphReady: boolean }) {
  const [open, setOpen] = useState(false);
  const [place, setPlace] = useState<Place>({ left: 0 });
  const busy = useExport((s) => s.busy);
  const hasRun = useHistoryStore((s) => s.runs.some((r) => r.id === s.activeRunId));
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const focusOnOpen = useRef<'first' | 'last'>('first');
  const id = useId();
  const fixFirst = 'fix the problems in the Problems tab first';
  const items: Item[] = [
    {
      kind: 'tfjs',
      label: 'TF.js model',
      explains: 'model.json + weights.bin of the generator: tf.loadLayersModel opens them in any TF.js app',
      unavailable: props.modelReady ? null : props.graphReady ? 'wait for the model to load' : fixFirst,
      act: exportTfjs,
    },
    {
      kind: 'pytorch',
      label: 'PyTorch project (.zip)',
      explains: 'model.py, losses.py, train.py and the weights: keep training on your GPUs, or many with torchrun',
      unavailable: props.graphReady ? null : fixFirst,
      act: exportPytorchZip,
    },
    {
      kind: 'samplerPage',
      label: 'Sampler page (.html)',
      explains: 'one file that draws new samples from the trained generator in any browser, offline',
      unavailable: props.graphReady ? null : fixFirst,
      act: exportSamplerPage,
    },
    {
      kind: 'bundle',
      label: 'Run bundle (.zip)',
      explains: 'this run: graph, curves, samples and checkpoint, to open again here or with the CLI',
      unavailable: hasRun ? null : 'train a step first: a run starts with its first step',
      act: exportBundle,
    },
  ];

  const entries = () => [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };
  const openAt = (focus: 'first' | 'last') => {
    const r = button.current!.getBoundingClientRect();
    const below = window.innerHeight - r.bottom;
    // The menu's height is about 4 two-line items; open upwards when that does not fit below.
    setPlace(
      below >= 260 || below >= r.top ? { left: r.left, top: r.bottom + 4 } : { left: r.left, bottom: window.innerHeight - r.top + 4 },
    );
    focusOnOpen.current = focus;
    setOpen(true);
  };

  useLayoutEffect(() => {
    if (!open) return;
    const all = entries();
    (focusOnOpen.current === 'first' ? all[0] : all[all.length - 1])?.focus();
    // Keep it inside the window horizontally.
    const m = menu.current;
    if (m) {
      const overflow = m.getBoundingClientRect().right - window.innerWidth + 8;
      if (overflow > 0) m.style.left = `${Math.max(8, place.left - overflow)}px`;
    }
  }, [open, place.left]);

  useEffect(() => {
    if (!open) return;
    const outside = (e: PointerEvent) => {
      const t = e.target as Node;
      if (!menu.current?.contains(t) && !button.current?.contains(t)) close(false);
    };
    // The menu is placed against the button; once anything scrolls or resizes, it closes rather than float elsewhere.
    const away = (e: Event) => {
      if (!menu.current?.contains(e.target as Node)) close(false);
    };
    document.addEventListener('pointerdown', outside);
    window.addEventListener('resize', away);
    document.addEventListener('scroll', away, true);
    return () => {
      document.removeEventListener('pointerdown', outside);
      window.removeEventListener('resize', away);
      document.removeEventListener('scroll', away, true);
    };
  }, [open]);

  const onButtonKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      openAt(e.key === 'ArrowDown' ? 'first' : 'last');
    }
  };
  const onMenuKey = (e: KeyboardEvent) => {
    const all = entries();
    const at = all.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => {
      e.preventDefault();
      all[(to + all.length) % all.length]?.focus();
    };
    if (e.key === 'ArrowDown') move(at + 1);
    else if (e.key === 'ArrowUp') move(at - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(all.length - 1);
    else if (e.key === 'Escape') {
      e.preventDefault();
      close(true);
    } else if (e.key === 'Tab') close(false);
  };
  const choose = (item: Item) => {
    if (item.unavailable || busy) return;
    close(true);
    void item.act();
  };

  return (
    <>
      <button
        ref={button}
        id={`${id}-button`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? `${id}-menu` : undefined}
        onClick={() => (open ? close(false) : openAt('first'))}
        onKeyDown={onButtonKey}
        disabled={!props.graphReady && !hasRun}
        data-testid="export-menu-button"
        title="Take this model out of the editor: as a TF.js model, a PyTorch project, a sampler page or a run bundle"
      >
        {busy ? 'Exporting…' : 'Export model ▾'}
      </button>
      {open && (
        <div
          ref={menu}
          id={`${id}-menu`}
          role="menu"
          aria-labelledby={`${id}-button`}
          className="export-menu"
          style={{ left: place.left, top: place.top, bottom: place.bottom }}
          onKeyDown={onMenuKey}
          data-testid="export-menu"
        >
          {items.map((item) => (
            <div
              key={item.kind}
              role="menuitem"
              tabIndex={-1}
              aria-disabled={item.unavailable || busy ? true : undefined}
              aria-describedby={`${id}-${item.kind}`}
              className="export-menu-item"
              onClick={() => choose(item)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  choose(item);
                }
              }}
              data-testid={`export-${item.kind}`}
            >
              <span className="export-menu-label">{item.label}</span>
              <span className="export-menu-explains" id={`${id}-${item.kind}`}>
                {item.unavailable ? `${item.explains} (${item.unavailable})` : item.explains}
              </span>
            </div>
          ))}
        </div>
      )}
    </>
  );
}

/** What the last export did, or which node stopped it, with a way to that node. */
export function ExportNotice() {
  const notice = useExport((s) => s.notice);
  if (!notice) return null;
  const nodeId = notice.nodeId;
  const onCanvas = nodeId && editorStore.getState().doc.nodes.some((n) => n.id === nodeId);
  return (
    <div className={`run-notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="export-notice">
      <span className="grow">{notice.text}</span>
      {onCanvas && (
        <button onClick={() => editorStore.getState().select([nodeId])} data-testid="export-show-node">
          Show node
        </button>
      )}
      <button className="link-button" onClick={dismissExportNotice} aria-label="Dismiss">
        ✕
      </button>
    </div>
  );
}
