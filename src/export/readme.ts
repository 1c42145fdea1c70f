/** README.md of an exported PyTorch project. */
import type { Plan } from '../compiler/plan';
import type { GraphDocument } from '../graph/document';

/** Markdown-safe document text: a title can hold anything, and Markdown would read some of it as markup. */
const plain = (text: string) => text.replace(/[\r\n]+/g, ' ').replace(/([\\`*_[\]<>#|])/g, '\\$1');

export function readme(doc: GraphDocument, plan: Plan, weightsStep: number | null): string {
  const terms = plan.optimizers.flatMap((o) => [o.id, ...o.terms.map((t) => plan.lossNames[t])]);
  return [
    `# ${plain(doc.meta.title)} — PyTorch export`,
    '',
    'Exported from Latent Lab: the same graph, losses, optimizers (with their steps per round), seed and batch size,',
    'as a plain PyTorch project. `graph.json` is the graph it came from.',
    '',
    '| file | what it holds |',
    '| --- | --- |',
    '| `model.py` | `Model`: every layer with weights under its node id; each block its own `nn.Module` |',
    "| `losses.py` | each optimizer's objective, computed node by node as in the graph |",
    '| `train.py` | the training loop: data, optimizers, metrics, checkpoints, one or many processes |',
    "| `layers.py` | layers PyTorch has no exact match for (Latent Lab's batch norm, masked convolutions) |",
    "| `latent_lab.py` | Latent Lab's checkpoint format (read and written) and MNIST IDX files |",
    ...(weightsStep !== null
      ? [`| \`weights/\` | the Latent Lab checkpoint it was exported with (step ${weightsStep}), loaded by default |`]
      : []),
    '',
    '## Run it',
    '',
    '```sh',
    'pip install -r requirements.txt   # or: apt-get install python3-torch',
    'python train.py --data path/to/mnist --steps 1000 --out run',
    'torchrun --nproc_per_node 2 train.py --data path/to/mnist --steps 1000 --out run   # DistributedDataParallel',
    '```',
    '',
    '`--data` is an MNIST-format IDX images file (e.g. `train-images-idx3-ubyte`, gzipped or not, with its labels file',
    'beside it) or a folder holding one. Under `torchrun` each process trains on its share of every batch',
    `(${plan.data.batchSize} examples per step in all), on CUDA when there is a GPU, else with gloo on the CPU.`,
    "(Debian's torch 1.13 under Python 3.11: torchrun needs `--redirects 1 --tee 1`, as it cannot parse its own default.)",
    '',
    `\`run/metrics.jsonl\` gets one line per step, \`{"step": N, …}\` with the graph's terms: ${terms.map((t) => `\`${plain(t)}\``).join(', ')}.`,
    '`run/` is also a Latent Lab run folder (graph.json, checkpoint/, run.json): `latent-lab train run --resume --data DIR`',
    'continues it, `latent-lab bundle run` makes a zip the browser opens, `latent-lab compare` sets it beside other runs.',
    '',
    '## What differs from Latent Lab',
    '',
    '- Random draws (initial weights without `--weights`, noise, the batch order) come from PyTorch, so a run is a',
    '  different draw of the same model; `--replay` trains on recorded batches and noise to compare the two exactly.',
    '- Images are NCHW here, NHWC in Latent Lab; `latent_lab.py` converts kernels, and flattening permutes to',
    "  Latent Lab's value order first, so dense weights carry over unchanged.",
    '',
  ].join('\n');
}
