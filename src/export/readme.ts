/** README.md of an exported PyTorch project. */
import type { Plan } from '../compiler/plan';
import type { GraphDocument } from '../graph/document';
import { GENERATED_SOURCES } from './pythonData';

/** Markdown-safe document text: a title can hold anything, and Markdown would read some of it as markup. */
const plain = (text: string) => text.replace(/[\r\n]+/g, ' ').replace(/([\\`*_[\]<>#|])/g, '\\$1');

export function readme(doc: GraphDocument, plan: Plan, weightsStep: number | null, files: string[]): string {
  const terms = plan.optimizers.flatMap((o) => [o.id, ...o.terms.map((t) => plan.lossNames[t])]);
  const has = (file: string) => files.includes(file);
  const generated = GENERATED_SOURCES.includes(plan.dataSpec.source);
  const data = generated ? '' : ' --data path/to/mnist';
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
    "| `latent_lab.py` | Latent Lab's checkpoint format (read and written), MNIST IDX files and the random draws |",
    "| `datasets.py` | the data: IDX files, image folders, Latent Lab's 2-D sets (the same points for the same seed) |",
    ...(has('flows.py') ? ['| `flows.py` | the flow layers, each with its log-determinant and its inverse |'] : []),
    ...(has('diffusion.py') ? ['| `diffusion.py` | noise schedule, forward noising, timestep codes, the DDPM and DDIM chains |'] : []),
    ...(has('sample.py')
      ? [
          `| \`sample.py\` | draws samples ${plan.diffusion ? "with the graph's Diffusion sampler" : 'by running the flow backwards'} from a checkpoint |`,
        ]
      : []),
    ...(weightsStep !== null
      ? [`| \`weights/\` | the Latent Lab checkpoint it was exported with (step ${weightsStep}), loaded by default |`]
      : []),
    '',
    '## Run it',
    '',
    '```sh',
    'pip install -r requirements.txt   # or: apt-get install python3-torch',
    `python train.py${data} --steps 1000 --out run`,
    `torchrun --nproc_per_node 2 train.py${data} --steps 1000 --out run   # DistributedDataParallel`,
    ...(has('sample.py') ? ['python sample.py --weights run/checkpoint --n 16 --out samples   # samples.npy and .png or .csv'] : []),
    '```',
    '',
    generated
      ? `The ${plain(plan.dataSpec.source)} points are made by \`datasets.py\` as Latent Lab makes them; \`--data\` may name other data instead.`
      : '`--data` is an MNIST-format IDX images file (e.g. `train-images-idx3-ubyte`, gzipped or not, with its labels file',
    ...(generated
      ? []
      : ['beside it), a folder holding one, or a folder of PNG or JPEG images with one sub-folder per class (needs Pillow).']),
    'Under `torchrun` each process trains on its share of every batch',
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
