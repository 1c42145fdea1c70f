/** A text field that writes to the document once, on blur or Enter, so typing is one undo step. */
import { useState } from 'react';

export function DraftText({
  value,
  onCommit,
  multiline = false,
  placeholder,
  maxLength,
  testId,
}: {
  value: string;
  onCommit(v: string): void;
  multiline?: boolean;
  placeholder?: string;
  maxLength?: number;
  testId?: string;
}) {
  const [draft, setDraft] = useState(value);
  const commit = () => draft !== value && onCommit(draft);
  const common = {
    value: draft,
    placeholder,
    maxLength,
    'data-testid': testId,
    onBlur: commit,
  };
  return multiline ? (
    <textarea {...common} rows={3} onChange={(e) => setDraft(e.target.value)} />
  ) : (
    <input {...common} onChange={(e) => setDraft(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && commit()} />
  );
}
