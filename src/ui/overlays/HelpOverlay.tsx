/** The keyboard and mouse reference, generated from the shortcut table. */
import { GESTURES, SHORTCUTS } from '../shortcuts';
import { Modal } from './Modal';
import { PortLegend } from '../canvas/portGlyph';

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} className="help" testId="help-overlay">
      {/* Columns of different heights: each keeps its rows together at the top. */}
      <div className="help-columns" style={{ alignItems: 'start' }}>
        <table className="shortcut-table">
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.keys}>
                <td>
                  <kbd>{s.keys}</kbd>
                </td>
                <td>{s.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div>
          <table className="shortcut-table">
            <tbody>
              {GESTURES.map(([g, what]) => (
                <tr key={g}>
                  <td>
                    <kbd>{g}</kbd>
                  </td>
                  <td>{what}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <PortLegend />
        </div>
      </div>
      <p className="muted small">On a Mac, Ctrl is ⌘. Your graph is saved in this browser as you work; export a file to keep a copy.</p>
    </Modal>
  );
}
