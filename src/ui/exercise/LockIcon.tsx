/**
 * A padlock drawn as SVG in the text's colour: an emoji lock needs an emoji
 * font, and without one (many Linux machines) it shows as an empty box.
 */
export function LockIcon({ open = false }: { open?: boolean }) {
  return (
    <svg className="lock-icon" viewBox="0 0 12 14" width="0.85em" height="1em" aria-hidden="true" focusable="false">
      <path
        d={open ? 'M3.5 6V4a2.5 2.5 0 0 1 5-0.6' : 'M3.5 6V4a2.5 2.5 0 0 1 5 0v2'}
        fill="none"
        stroke="currentColor"
        strokeWidth="1.6"
      />
      <rect x="1.5" y="6" width="9" height="7" rx="1.2" fill="currentColor" />
    </svg>
  );
}
