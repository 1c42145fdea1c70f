/** The toolbar's Tour button, shown when the open graph has a tour, and the tour's card while it runs. */
import { createPortal } from 'react-dom';
import { useEditor } from '../../store';
import { TourCard } from './TourCard';
import { tourStore, useTour } from './tourStore';
import './tour.css';

export function TourButton() {
  const steps = useEditor((s) => s.doc.tour?.steps);
  const step = useTour((s) => s.step);
  if (!steps?.length) return null;
  const open = step !== null && step < steps.length;
  return (
    <>
      <button
        aria-pressed={open}
        className="tour-toggle"
        onClick={() => (open ? tourStore.getState().close() : tourStore.getState().go(0))}
        data-testid="btn-tour"
        title={`A guided tour of this graph, ${steps.length} steps`}
      >
        Tour
      </button>
      {/* On the page, not in the toolbar: the card floats over the canvas. */}
      {open && createPortal(<TourCard steps={steps} index={step} />, document.body)}
    </>
  );
}
