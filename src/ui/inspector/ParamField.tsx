/**
 * One parameter's widget, chosen by its declaration. Typed values are checked
 * with the same `checkParam` the compiler uses; an invalid draft stays in the
 * field (marked, with the reason) and never reaches the document.
 */
import { useState } from 'react';
import type { ParamDecl } from '../../graph/params';
import { checkParam } from '../../graph/params';
import type { GraphNode } from '../../graph/document';
import { LockIcon } from '../exercise/LockIcon';

interface Props {
  name: string;
  decl: ParamDecl;
  value: unknown;
  /** Nodes a nodeRefs parameter may point at. */
  refCandidates: GraphNode[];
  onCommit(value: unknown): void;
  /** Prefix of element ids and test ids, so a second form for the same node (the block view) never clashes with the inspector. */
  idPrefix?: string;
  /** An exercise's lock on this parameter: the author toggles it; a learner sees why the field is read-only. */
  lock?: ParamLock;
}

export type ParamLock = { role: 'author'; locked: boolean; onToggle(locked: boolean): void } | { role: 'learner'; reason: string };

export function ParamField(props: Props) {
  const { name, decl, idPrefix = 'param', lock } = props;
  const range = rangeText(decl);
  return (
    <div className="field" data-testid={`${idPrefix}-${name}`}>
      <div className="field-head">
        <label htmlFor={`${idPrefix}-input-${name}`}>
          {name}
          {range && <span className="muted"> {range}</span>}
        </label>
        {lock?.role === 'author' && (
          <button
            type="button"
            className={`param-lock${lock.locked ? ' on' : ''}`}
            data-testid={`${idPrefix}-lock-${name}`}
            aria-pressed={lock.locked}
            aria-label={`Lock ${name} for learners`}
            title={lock.locked ? `${name} is fixed for learners: click to free it` : `Fix ${name} for learners`}
            onClick={() => lock.onToggle(!lock.locked)}
          >
            <LockIcon open={!lock.locked} />
          </button>
        )}
      </div>
      {lock?.role === 'learner' && (
        <p className="field-lock" data-testid={`${idPrefix}-locked-${name}`}>
          <LockIcon /> {lock.reason}
        </p>
      )}
      <Widget {...props} />
      {decl.doc && <p className="field-doc">{decl.doc}</p>}
    </div>
  );
}

function Widget({ name, decl, value, refCandidates, onCommit, idPrefix = 'param' }: Props) {
  switch (decl.kind) {
    case 'choice':
      return (
        <select id={`${idPrefix}-input-${name}`} value={String(value)} onChange={(e) => onCommit(e.target.value)}>
          {decl.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
    case 'bool':
      return (
        <label className="toggle">
          <input id={`${idPrefix}-input-${name}`} type="checkbox" checked={value === true} onChange={(e) => onCommit(e.target.checked)} />
          {value === true ? 'on' : 'off'}
        </label>
      );
    case 'nodeRefs': {
      const refs = Array.isArray(value) ? (value as string[]) : [];
      const toggle = (id: string, on: boolean) => onCommit(on ? [...refs, id] : refs.filter((r) => r !== id));
      return (
        <div className="ref-list">
          {refCandidates.length === 0 && <span className="muted">no networks in the graph</span>}
          {refCandidates.map((n) => (
            <label key={n.id} className="toggle">
              <input
                type="checkbox"
                checked={refs.includes(n.id)}
                onChange={(e) => toggle(n.id, e.target.checked)}
                data-testid={`ref-${name}-${n.id}`}
              />
              {n.label || n.id}
            </label>
          ))}
          {refs
            .filter((r) => !refCandidates.some((n) => n.id === r))
            .map((r) => (
              <label key={r} className="toggle invalid-text">
                <input type="checkbox" checked onChange={() => toggle(r, false)} />
                {r} (missing)
              </label>
            ))}
        </div>
      );
    }
    default:
      // Remount on outside changes (undo, another edit) so the draft shows the document's value.
      return <TextWidget key={JSON.stringify(value)} name={name} decl={decl} value={value} onCommit={onCommit} idPrefix={idPrefix} />;
  }
}

/** Numbers, number lists and text: a draft that commits on Enter or when the field loses focus. */
function TextWidget({
  name,
  decl,
  value,
  onCommit,
  idPrefix,
}: {
  name: string;
  decl: ParamDecl;
  value: unknown;
  onCommit(v: unknown): void;
  idPrefix: string;
}) {
  const shown = Array.isArray(value) ? value.join(', ') : value === undefined || value === null ? '' : String(value);
  const [draft, setDraft] = useState(shown);
  const parsed = parse(decl, draft);
  const problem = parsed.ok ? checkParam(name, decl, parsed.value) : { message: parsed.message, hint: undefined };
  const commit = () => {
    if (!problem && parsed.ok && JSON.stringify(parsed.value) !== JSON.stringify(value)) onCommit(parsed.value);
  };
  return (
    <>
      <input
        id={`${idPrefix}-input-${name}`}
        className={problem ? 'invalid' : ''}
        aria-invalid={!!problem}
        value={draft}
        inputMode={decl.kind === 'int' || decl.kind === 'float' ? 'decimal' : undefined}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') setDraft(shown);
        }}
      />
      {problem && (
        <p className="field-error" data-testid={`${idPrefix}-error-${name}`}>
          {problem.message}
          {problem.hint ? ` — ${problem.hint}` : ''}
        </p>
      )}
    </>
  );
}

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

function parse(decl: ParamDecl, text: string): Parsed {
  const t = text.trim();
  const num = (s: string): number => (s === '' ? NaN : Number(s));
  switch (decl.kind) {
    case 'int':
    case 'float':
      return Number.isNaN(num(t)) ? { ok: false, message: `“${text}” is not a number` } : { ok: true, value: num(t) };
    case 'intList': {
      const parts = t === '' ? [] : t.split(/[\s,]+/).filter(Boolean);
      const values = parts.map(num);
      return values.some(Number.isNaN)
        ? { ok: false, message: 'use whole numbers separated by commas, e.g. 512, 256' }
        : { ok: true, value: values };
    }
    default:
      return { ok: true, value: text };
  }
}

function rangeText(decl: ParamDecl): string {
  if (decl.kind === 'int' || decl.kind === 'intList') return `${decl.min}–${decl.max}`;
  if (decl.kind === 'float' && (decl.min !== undefined || decl.max !== undefined))
    return `${decl.min !== undefined ? `${decl.exclusiveMin ? '>' : '≥'} ${decl.min}` : ''}${decl.min !== undefined && decl.max !== undefined ? ', ' : ''}${decl.max !== undefined ? `≤ ${decl.max}` : ''}`;
  return '';
}
