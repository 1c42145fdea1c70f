/**
 * The likelihood half of the Metrics view: what the model says about the test examples, each figure named
 * for what it is (a negative ELBO is an upper bound on the NLL; an importance-sampled NLL a tighter one; a
 * PixelCNN's NLL is exact), in nats per example and bits per dimension, beside the independent-pixel reference.
 */
import type { LikelihoodReport } from '../../runtime/protocol';

/** A latent dimension whose mean KL to the prior is below this (nats) carries no information (as `eval` says). */
const COLLAPSED = 0.01;

interface Line {
  id: string;
  name: string;
  meaning: string;
  nats: number;
  bitsPerDim: number | null;
}

function lines(r: LikelihoodReport): Line[] {
  const out: Line[] = [];
  if (r.kind === 'elbo')
    out.push({
      id: 'neg_elbo',
      name: 'negative ELBO',
      meaning: 'reconstruction NLL + KL, whatever their training weights: an upper bound on the NLL',
      nats: r.nats,
      bitsPerDim: r.bitsPerDim,
    });
  // Reports stored before flows existed carry no `nll`: they were all autoregressive, so exact.
  if (r.kind === 'nll')
    out.push({
      id: 'nll',
      name: r.nll?.exact === false ? 'NLL (upper bound)' : 'NLL (exact)',
      meaning: r.nll?.meaning ?? 'the model’s own −log p(x)',
      nats: r.nats,
      bitsPerDim: r.bitsPerDim,
    });
  if (r.importanceSampled)
    out.push({
      id: 'is_nll',
      name: `importance-sampled NLL (K = ${r.importanceSampled.samples})`,
      meaning: 'an upper bound on the NLL, tighter than the ELBO as K grows (Burda et al. 2015)',
      nats: r.importanceSampled.nats,
      bitsPerDim: r.importanceSampled.bitsPerDim,
    });
  if (r.independentPixels)
    out.push({
      id: 'independent',
      name: 'reference: independent pixels',
      meaning: 'every pixel a Bernoulli with its training mean, no pixel knowing another: a model must beat this',
      nats: r.independentPixels.nats,
      bitsPerDim: r.independentPixels.bitsPerDim,
    });
  return out;
}

export function LikelihoodTable({ r }: { r: LikelihoodReport }) {
  const collapsed = r.klPerDim?.filter((kl) => kl < COLLAPSED).length;
  const weighted = Math.abs(r.objective - r.nats) > 1e-3 * Math.max(1, Math.abs(r.nats));
  return (
    <div className="likelihood" data-testid="likelihood">
      <table className="metrics-table" data-testid="likelihood-table">
        <thead>
          <tr>
            <th>likelihood</th>
            <th title="nats per example: lower is better">nats</th>
            <th title="bits per pixel value: lower is better">bits/dim</th>
          </tr>
        </thead>
        <tbody>
          {lines(r).map((l) => (
            <tr key={l.id} className={l.id === 'independent' ? 'reference' : undefined}>
              <th scope="row">
                {l.name}
                <div className="meaning">{l.meaning}</div>
              </th>
              <td className="num" data-testid={`likelihood-${l.id}`}>
                {l.nats.toFixed(2)}
              </td>
              <td className="num">{l.bitsPerDim === null ? '–' : l.bitsPerDim.toFixed(4)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">
        Over {r.examples} {r.heldOut ? 'held-out test' : 'TRAINING (the data has no separate test split)'} examples; lower is better.
        {weighted && ` The training objective, with its loss weights, is ${r.objective.toFixed(2)}: not a likelihood.`}
        {r.importanceUnavailable && ` No importance-sampled NLL: ${r.importanceUnavailable}.`}
        {collapsed !== undefined &&
          ` Latent dimensions unused (KL to the prior < ${COLLAPSED} nats): ${collapsed} of ${r.klPerDim!.length}, see the KL per dimension view.`}
      </p>
    </div>
  );
}
