/** The switch for explain mode, and beside it the graph's guided tour when it has one. */
import { TourButton } from '../tour/TourButton';
import './explain.css';
import { explainStore, useExplain } from './explainStore';

export function ExplainToggle() {
  const on = useExplain((s) => s.on);
  return (
    <>
      <button
        aria-pressed={on}
        className="explain-toggle"
        onClick={() => explainStore.getState().setOn(!on)}
        data-testid="btn-explain"
        title="Show the equation each node computes, on the canvas and in the inspector"
      >
        Explain
      </button>
      <TourButton />
    </>
  );
}
