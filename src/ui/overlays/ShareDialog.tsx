/** A link that carries the graph itself; refused with an explanation past the size cap. */
import { useState } from 'react';
import { useEditor } from '../../store';
import { encodeShareHash } from '../../store/share';
import { Modal } from './Modal';

export function ShareDialog({ onClose }: { onClose: () => void }) {
  const doc = useEditor((s) => s.doc);
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  const encoded = encodeShareHash(doc);
  const link = encoded.ok ? `${location.origin}${location.pathname}${encoded.hash}` : '';
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <Modal title="Share link" onClose={onClose} className="share" testId="share-dialog">
      {encoded.ok ? (
        <>
          <p>Anyone who opens this link gets a copy of this graph in a new tab; your own graph stays as it is.</p>
          <input readOnly aria-label="Link to this graph" value={link} onFocus={(e) => e.target.select()} data-testid="share-link" />
          <div className="button-row">
            <span className="muted small">{(link.length / 1000).toFixed(1)} kB</span>
            <button className="primary" onClick={() => void copy()} data-testid="share-copy">
              {copied === 'yes' ? 'Copied' : 'Copy link'}
            </button>
          </div>
          {copied === 'failed' && (
            <p className="invalid-text small">The browser refused the clipboard; select the link and copy it by hand.</p>
          )}
        </>
      ) : (
        <p className="invalid-text" data-testid="share-too-large">
          {encoded.message}
        </p>
      )}
    </Modal>
  );
}
