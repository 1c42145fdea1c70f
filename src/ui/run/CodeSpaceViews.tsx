/**
 * Two views of a model's code space, decoded: codes drawn uniformly from the box the encoded test
 * examples fill (a plain autoencoder is no generative model: most of that box decodes to no digit),
 * and, for a 2-D latent, the manifold figure: a grid of codes decoded in place.
 */
import { useEffect, useMemo, useState } from 'react';
import { codeBox, manifoldGrid, uniformCodes } from './codeSpace';
import { ImageGrid } from './ImageGrid';
import { run, useRun } from './runStore';

const BOX_SAMPLES = 16;
const MANIFOLD_SIDE = 12;

export function CodeSpaceViews() {
  const info = useRun((s) => s.info);
  const map = useRun((s) => s.latent);
  const decoded = useRun((s) => s.decoded);
  const [seed, setSeed] = useState(1);
  const applies = !!info && info.modes.encode && info.latentSize > 0 && info.data.kind === 'image';
  const generates = !!info?.modes.generate;
  // A conditional decoder needs a class: every code is decoded as the first one, and the caption says so.
  const label = info?.modes.conditional && info.data.numClasses > 0 ? 0 : undefined;
  const box = useMemo(() => (map ? codeBox(map.latents, map.n, map.dim) : null), [map]);
  const gridCodes = useMemo(() => {
    if (!applies || info.latentSize !== 2) return null;
    if (generates) return manifoldGrid(MANIFOLD_SIDE, { prior: true });
    return box ? manifoldGrid(MANIFOLD_SIDE, { lo: [box.lo[0], box.lo[1]], hi: [box.hi[0], box.hi[1]] }) : null;
  }, [applies, info, generates, box]);

  useEffect(() => {
    if (applies && box) run.decode('uniformBox', uniformCodes(box, BOX_SAMPLES, seed), BOX_SAMPLES, label);
  }, [applies, box, seed, label]);
  useEffect(() => {
    if (gridCodes) run.decode('manifold', gridCodes, MANIFOLD_SIDE * MANIFOLD_SIDE, label);
  }, [gridCodes, label]);

  if (!applies) return null;
  const asClass = label !== undefined ? ` Each is decoded as class ${info.data.classNames?.[label] ?? label}.` : '';
  const box16 = decoded.uniformBox;
  const manifold = decoded.manifold;
  return (
    <>
      <div className="run-view" data-testid="code-box-view">
        <h4>
          Codes drawn at random from the code box
          <span className="spacer" />
          <button onClick={() => setSeed((s) => s + 1)} disabled={!box} title="Draw another 16 codes">
            ↻
          </button>
        </h4>
        {box16 ? (
          <ImageGrid images={box16.images} n={box16.n} shape={box16.shape} cols={4} testId="code-box-samples" />
        ) : (
          <p className="hint">Waiting for the latent map: the box is the one its encoded test digits fill.</p>
        )}
        <p className="hint">
          {BOX_SAMPLES} codes, each of the {info.latentSize} dimensions drawn uniformly between the smallest and largest value the encoded
          test digits take there.{' '}
          {generates
            ? 'The KL term packs this model’s codes into its prior N(0, I): compare these with its samples from the prior.'
            : 'A plain autoencoder has no prior to sample: the codes of real digits fill a thin part of this box, so most of these decode to no digit at all. That is why it is not a generative model.'}
          {asClass}
        </p>
      </div>
      {gridCodes && (
        <div className="run-view" data-testid="manifold-view">
          <h4>Manifold: a grid of 2-D codes, decoded</h4>
          {manifold ? (
            <ImageGrid images={manifold.images} n={manifold.n} shape={manifold.shape} cols={MANIFOLD_SIDE} testId="manifold" />
          ) : (
            <p className="hint">Decoding the grid…</p>
          )}
          <p className="hint">
            z₁ grows to the right, z₂ upwards;{' '}
            {generates
              ? `both run over the prior's quantiles ${(0.5 / MANIFOLD_SIDE).toFixed(2)}…${(1 - 0.5 / MANIFOLD_SIDE).toFixed(2)}, as in Kingma & Welling's figure, so the grid covers N(0, I) as the prior weighs it.`
              : 'both run evenly over the box the encoded test digits fill.'}
            {asClass}
          </p>
        </div>
      )}
    </>
  );
}
