/** With nothing selected: the graph's title, description, learning goals and seed. */
import { editorStore, useCompiled, useEditor } from '../../store';
import { formatCount } from '../format';
import { DraftText } from './DraftText';

export function GraphInspector() {
  const meta = useEditor((s) => s.doc.meta);
  const nodeCount = useEditor((s) => s.doc.nodes.length);
  const compiled = useCompiled();
  const setMeta = editorStore.getState().setMeta;
  const total = Object.values(compiled.paramCounts).reduce((a, b) => a + b, 0);
  return (
    <section className="inspector-section">
      <div className="inspector-kicker">Graph</div>
      <div className="field">
        <label className="wraps">
          Title
          <DraftText
            key={`t:${meta.title}`}
            value={meta.title}
            maxLength={200}
            testId="graph-title"
            onCommit={(title) => setMeta({ title })}
          />
        </label>
      </div>
      <div className="field">
        <label className="wraps">
          Description
          <DraftText
            key={`d:${meta.description}`}
            value={meta.description}
            multiline
            maxLength={20_000}
            onCommit={(description) => setMeta({ description })}
          />
        </label>
      </div>
      <div className="field">
        <label className="wraps">
          Learning goals <span className="muted">one per line</span>
          <DraftText
            key={`g:${meta.goals.join('\n')}`}
            value={meta.goals.join('\n')}
            multiline
            onCommit={(v) =>
              setMeta({
                goals: v
                  .split('\n')
                  .map((g) => g.trim())
                  .filter(Boolean),
              })
            }
          />
        </label>
      </div>
      <div className="field">
        <label className="wraps">
          Seed <span className="muted">same seed, same run</span>
          <DraftText
            key={`s:${meta.seed}`}
            value={String(meta.seed)}
            onCommit={(v) => {
              const seed = Number(v);
              if (Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32) setMeta({ seed });
              else editorStore.getState().notify('error', `Seed must be a whole number from 0 to ${2 ** 32 - 1}; kept ${meta.seed}.`);
            }}
          />
        </label>
      </div>
      <p className="muted small">
        {nodeCount} nodes · {formatCount(total)} trainable values{compiled.data ? ` · batch ${compiled.data.batchSize}` : ''}
      </p>
      <p className="muted small">Select a node to edit it. Shift-drag draws a selection box.</p>
    </section>
  );
}
