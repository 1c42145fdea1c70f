/** The fixed Python of an exported project: Latent Lab's file formats, and the training loop. */

export const LATENT_LAB_PY = String.raw`"""Latent Lab's files: its checkpoints (read and written) and MNIST-format IDX data.

A checkpoint is a folder holding checkpoint.json (the step, the batch position and
a list of tensors: key, shape, offset, length) and weights.bin (every tensor's
float32 values, little-endian, back to back), in Latent Lab's (TF.js's) layouts:

  dense kernel   [in, out]          -> nn.Linear weight          [out, in]          transposed
  conv kernel    [kh, kw, in, out]  -> nn.Conv2d weight          [out, in, kh, kw]  permute(3, 2, 0, 1)
  up-conv kernel [kh, kw, out, in]  -> nn.ConvTranspose2d weight [in, out, kh, kw]  permute(3, 2, 0, 1)

Keys are var:<node>/<name> (trained), state:<node>/<name> (running statistics) and
opt:<optimizer>:LatentLabAdam:<variable>/m, /v and iter (Adam's moments and step
count). save_checkpoint inverts every conversion, so the folder train.py writes is
a Latent Lab run that \`latent-lab train <out> --resume\` continues.
"""
import datetime
import gzip
import json
import os

import numpy as np
import torch

TO_TORCH = {
    "same": lambda t: t,
    "dense": lambda t: t.t(),
    "conv": lambda t: t.permute(3, 2, 0, 1),
    "conv_transpose": lambda t: t.permute(3, 2, 0, 1),
}
TO_OURS = {
    "same": lambda t: t,
    "dense": lambda t: t.t(),
    "conv": lambda t: t.permute(2, 3, 1, 0),
    "conv_transpose": lambda t: t.permute(2, 3, 1, 0),
}
ADAM = "LatentLabAdam"


class LatentLabFileError(Exception):
    """A file that cannot be read as what it should be; the message names it and the fix."""


def read_checkpoint(folder):
    """checkpoint.json and its tensors by key (float32, in Latent Lab's layouts)."""
    try:
        with open(os.path.join(folder, "checkpoint.json"), encoding="utf-8") as f:
            meta = json.load(f)
        values = np.fromfile(os.path.join(folder, "weights.bin"), dtype="<f4")
    except (OSError, ValueError) as e:
        raise LatentLabFileError(f"{folder}: not a readable Latent Lab checkpoint ({e}); pass a checkpoint folder") from e
    tensors = {}
    for t in meta.get("tensors", []):
        end = t["offset"] + t["length"]
        if end > values.size:
            raise LatentLabFileError(f"{folder}/weights.bin is shorter than checkpoint.json says; the checkpoint is damaged")
        tensors[t["key"]] = torch.from_numpy(values[t["offset"] : end].copy()).reshape(t["shape"])
    return meta, tensors


def load_checkpoint(model, optimizers, folder, weights):
    """Puts a Latent Lab checkpoint's weights (and Adam's moments, when it has them) into the model; returns its meta."""
    meta, tensors = read_checkpoint(folder)
    missing = [key for key, _, _ in weights if key not in tensors]
    if missing:
        raise LatentLabFileError(f"{folder}: the checkpoint has no {', '.join(missing)}; it was saved from another graph")
    for key, path, layout in weights:
        target = model.get_parameter(path) if key.startswith("var:") else model.get_buffer(path)
        value = TO_TORCH[layout](tensors[key])
        if tuple(value.shape) != tuple(target.shape):
            raise LatentLabFileError(f"{folder}: {key} is {list(value.shape)} but {path} needs {list(target.shape)}")
        with torch.no_grad():
            target.copy_(value)
    names = _variable_names(model, weights)
    for spec, optimizer, params in optimizers:
        prefix = f"opt:{spec['id']}:{ADAM}:"
        if spec["algorithm"] != "adam" or prefix + "iter" not in tensors:
            continue
        layouts = {path: layout for _, path, layout in weights}
        slots = {}
        for p in params:
            name, path = names[id(p)]
            m, v = tensors.get(f"{prefix}{name}/m"), tensors.get(f"{prefix}{name}/v")
            if m is None or v is None:
                break
            slots[p] = {"exp_avg": TO_TORCH[layouts[path]](m), "exp_avg_sq": TO_TORCH[layouts[path]](v)}
        else:
            step = torch.tensor(float(tensors[prefix + "iter"].reshape(-1)[0]))
            for p, slot in slots.items():
                optimizer.state[p] = {"step": step.clone(), **{k: s.to(p.device).clone() for k, s in slot.items()}}
    return meta


def _variable_names(model, weights):
    """id(parameter) -> (its Latent Lab variable name, its attribute path)."""
    by_path = {path: key.split(":", 1)[1] for key, path, _ in weights if key.startswith("var:")}
    return {id(p): (by_path[path], path) for path, p in model.named_parameters() if path in by_path}


def save_checkpoint(model, optimizers, folder, weights, step, batcher, backend="pytorch"):
    """Writes model and Adam state as a Latent Lab checkpoint folder (weights.bin first, then its manifest)."""
    os.makedirs(folder, exist_ok=True)
    entries = []
    for key, path, layout in weights:
        source = model.get_parameter(path) if key.startswith("var:") else model.get_buffer(path)
        entries.append((key, TO_OURS[layout](source.detach().cpu()), None))
    names = _variable_names(model, weights)
    layouts = {path: layout for _, path, layout in weights}
    for spec, optimizer, params in optimizers:
        states = [optimizer.state.get(p) for p in params]
        if spec["algorithm"] != "adam" or not all(states):
            continue
        prefix = f"opt:{spec['id']}:{ADAM}:"
        entries.append((prefix + "iter", torch.tensor(float(states[0]["step"])), "iter"))
        for kind, slot in (("m", "exp_avg"), ("v", "exp_avg_sq")):
            for p, state in zip(params, states):
                name, path = names[id(p)]
                entries.append((f"{prefix}{name}/{kind}", TO_OURS[layouts[path]](state[slot].detach().cpu()), f"{name}/{kind}"))
    tensors, chunks, offset = [], [], 0
    for key, value, name in entries:
        flat = value.contiguous().reshape(-1).to(torch.float32).numpy().astype("<f4")
        tensors.append({"key": key, "shape": list(value.shape), **({"name": name} if name else {}), "offset": offset, "length": int(flat.size)})
        chunks.append(flat)
        offset += flat.size
    _write_atomic(os.path.join(folder, "weights.bin"), np.concatenate(chunks).tobytes() if chunks else b"")
    meta = {
        "step": step,
        "randomCounter": 0,
        "batcher": batcher,
        "backend": backend,
        "savedAt": datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z"),
        "tensors": tensors,
    }
    _write_atomic(os.path.join(folder, "checkpoint.json"), json.dumps(meta, indent=1).encode())


def _write_atomic(path, data):
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class Noise:
    """Fresh random draws from a seeded generator (Latent Lab's own stream cannot be reproduced here)."""

    def __init__(self, seed, device):
        self.generator = torch.Generator().manual_seed(seed)
        self.device = device

    def __call__(self, kind, shape, low=-1.0, high=1.0):
        if kind == "uniform":
            values = torch.rand(tuple(shape), generator=self.generator) * (high - low) + low
        else:
            values = torch.randn(tuple(shape), generator=self.generator)
        return values.to(self.device)


class RecordedNoise:
    """The draws a Latent Lab run made, in order, from a file of float32 values (--replay): each call takes the next ones."""

    def __init__(self, path, device):
        self.values = torch.from_numpy(np.fromfile(path, dtype="<f4"))
        self.used = 0
        self.device = device

    def __call__(self, kind, shape, low=-1.0, high=1.0):
        count = int(np.prod(shape))
        if self.used + count > self.values.numel():
            raise SystemExit(f"--replay: the noise ran out after {self.used} values; record more")
        values = self.values[self.used : self.used + count].reshape(tuple(shape))
        self.used += count
        return values.to(self.device)


def _read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise LatentLabFileError(f"{path}: cannot be read ({e})") from e
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 8:
        raise LatentLabFileError(f"{path}: not an IDX file of unsigned bytes (MNIST format)")
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(raw[3])]
    body = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * len(dims))
    if body.size != int(np.prod(dims)):
        raise LatentLabFileError(f"{path}: holds {body.size} values where its header says {dims}")
    return body.reshape(dims)


def read_idx_data(path):
    """MNIST-format data: an images IDX file (labels beside it, if any), or a folder holding them.

    Returns images as float32 [N, H, W, C] in [0, 1] (Latent Lab's layout) and labels (int64 [N]) or None.
    """
    if os.path.isdir(path):
        names = sorted(os.listdir(path))
        images = [n for n in names if "idx3" in n and not n.startswith("t10k")] or [n for n in names if "idx3" in n]
        if not images:
            raise LatentLabFileError(f"{path}: no IDX images file (e.g. train-images-idx3-ubyte) in this folder")
        path = os.path.join(path, images[0])
    images = _read_idx(path)
    if images.ndim not in (3, 4):
        raise LatentLabFileError(f"{path}: holds {images.ndim}-D data; images need N x H x W (or N x H x W x C)")
    x = (images.astype(np.float32) / 255.0).reshape(images.shape[0], images.shape[1], images.shape[2], -1)
    label_file = os.path.join(os.path.dirname(path), os.path.basename(path).replace("images-idx3", "labels-idx1"))
    labels = _read_idx(label_file).astype(np.int64) if label_file != path and os.path.exists(label_file) else None
    if labels is not None and labels.shape[0] != x.shape[0]:
        raise LatentLabFileError(f"{label_file}: {labels.shape[0]} labels for {x.shape[0]} images")
    return x, labels
`;

export const TRAIN_PY_BODY = String.raw`

def make_optimizers(model):
    """[(settings, torch optimizer, its parameters)] in Latent Lab's order."""
    out = []
    for spec in OPTIMIZERS:
        params = [p for path in spec["trains"] for p in model.get_submodule(path).parameters()]
        if spec["algorithm"] == "adam":
            optimizer = torch.optim.Adam(params, lr=spec["lr"], betas=spec["betas"], eps=spec["eps"])
        else:
            optimizer = torch.optim.SGD(params, lr=spec["lr"], momentum=spec["momentum"])
        out.append((spec, optimizer, params))
    return out


def train_round(net, model, optimizers, next_batch, draw):
    """One round as Latent Lab runs it: each optimizer takes its steps_per_round steps, each on a fresh batch."""
    losses = {}
    for spec, optimizer, params in optimizers:
        for _ in range(spec["steps_per_round"]):
            values = net(spec["id"], next_batch(), draw)
            # Every weight upstream of the loss gets a gradient (a GAN's discriminator step also runs the
            # generator); clearing them all keeps one optimizer's step from leaking into another's.
            model.zero_grad(set_to_none=True)
            values[spec["id"]].backward()
            optimizer.step()
            if spec["clip"] > 0:
                with torch.no_grad():
                    for p in params:
                        p.clamp_(-spec["clip"], spec["clip"])
            losses.update({name: value.detach() for name, value in values.items()})
    return losses


class Replay:
    """Recorded batches and noise (--replay): the same inputs as a Latent Lab run, to compare the two."""

    def __init__(self, folder, device):
        with open(os.path.join(folder, "replay.json"), encoding="utf-8") as f:
            spec = json.load(f)
        x = np.fromfile(os.path.join(folder, "x.bin"), dtype="<f4").reshape([spec["batches"], spec["size"]] + DATA["shape"])
        self.x = [to_batch_layout(torch.from_numpy(b.copy())).to(device) for b in x]
        self.y = None
        if DATA["classes"]:
            y = np.fromfile(os.path.join(folder, "y.bin"), dtype="<f4").reshape(spec["batches"], spec["size"], DATA["classes"])
            self.y = [torch.from_numpy(b.copy()).to(device) for b in y]
        self.draw = RecordedNoise(os.path.join(folder, "noise.bin"), device)
        self.used_batches = 0

    def next_batch(self):
        i = self.used_batches % len(self.x)
        self.used_batches += 1
        return {"x": self.x[i], "y": self.y[i] if self.y else None, "size": self.x[i].shape[0]}



def to_batch_layout(x):
    """Examples in Latent Lab's layout -> this project's (images NHWC -> NCHW)."""
    return x.permute(0, 3, 1, 2) if x.dim() == 4 else x


def load_examples(path):
    """The training set (from --data, else where the graph's Dataset says), binarized as it says, in this project's layout."""
    x, labels = load_examples_at(DATA, SEED, path)
    where = path or f"the {DATA['source']} set"
    if list(x.shape[1:]) != DATA["shape"]:
        raise LatentLabFileError(f"{where}: examples are {list(x.shape[1:])}, the graph was built for {DATA['shape']}")
    x = torch.from_numpy(x)
    if DATA["binarize"] == "threshold":
        x = (x >= 0.5).float()
    elif DATA["binarize"] == "stochastic":
        # Each pixel drawn once as Bernoulli(grey value), as Latent Lab does (a different draw: another generator).
        x = (torch.rand(x.shape, generator=torch.Generator().manual_seed(SEED)) < x).float()
    tensors = [to_batch_layout(x)]
    if DATA["classes"]:
        if labels is None:
            raise LatentLabFileError(f"{where}: the graph reads labels but these examples have none (IDX: a labels file beside the images; image folder: one sub-folder per class)")
        tensors.append(torch.nn.functional.one_hot(torch.from_numpy(labels), DATA["classes"]).float())
    return TensorDataset(*tensors)


def endless_batches(examples, per_rank, rank, world, device):
    """Batches forever, each epoch reshuffled (DistributedSampler gives every process its own share)."""
    sampler = DistributedSampler(examples, num_replicas=world, rank=rank, shuffle=True, seed=SEED, drop_last=True)
    loader = DataLoader(examples, batch_size=per_rank, sampler=sampler, drop_last=True)
    epoch = 0
    while True:
        sampler.set_epoch(epoch)
        for parts in loader:
            x = parts[0].to(device)
            yield {"x": x, "y": parts[1].to(device) if len(parts) > 1 else None, "size": x.shape[0]}
        epoch += 1


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    bundled = os.path.join(here, "weights")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=1000, help="training rounds to run")
    parser.add_argument(
        "--data",
        default=DATA["path"],
        help="MNIST-format IDX images file or a folder holding one (labels beside it), or an image folder "
        "(one sub-folder per class); the 2-D sets need none",
    )
    parser.add_argument("--out", default="run", help="where metrics.jsonl and the Latent Lab checkpoint go")
    parser.add_argument(
        "--weights",
        default=bundled if os.path.isdir(bundled) else None,
        help="a Latent Lab checkpoint folder to start from (default: the exported weights/, if any)",
    )
    parser.add_argument("--fresh", action="store_true", help="start from PyTorch's own initial weights, ignoring --weights")
    parser.add_argument("--checkpoint-every", type=int, default=500, help="steps between checkpoints")
    parser.add_argument("--replay", help="a folder of recorded batches and noise to train on instead of --data (parity checks)")
    args = parser.parse_args()
    if not args.data and not args.replay and DATA["source"] not in GENERATED:
        parser.error("--data is needed: an MNIST-format IDX file or folder (e.g. train-images-idx3-ubyte), or an image folder")

    world = int(os.environ.get("WORLD_SIZE", "1"))
    distributed = world > 1
    if distributed:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    rank = dist.get_rank() if distributed else 0
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device(f"cuda:{local_rank}" if torch.cuda.is_available() else "cpu")
    if BATCH_SIZE % world:
        raise SystemExit(f"batch size {BATCH_SIZE} does not split over {world} processes; use a process count that divides it")
    torch.manual_seed(SEED)

    model = Model().to(device)
    optimizers = make_optimizers(model)
    step0 = 0
    if args.weights and not args.fresh:
        step0 = load_checkpoint(model, optimizers, args.weights, WEIGHTS)["step"]
        if rank == 0:
            print(f"weights from {args.weights} (step {step0})", file=sys.stderr)
    # DDP averages gradients over processes; each process takes BATCH_SIZE / world examples, so one
    # step still sees BATCH_SIZE examples and the losses (means over examples) keep their scale.
    net = DistributedDataParallel(model, find_unused_parameters=True) if distributed else model
    if args.replay:
        replay = Replay(args.replay, device)
        next_batch, draw = replay.next_batch, replay.draw
        count = BATCH_SIZE
    else:
        examples = load_examples(args.data)
        count = len(examples)
        batches = endless_batches(examples, BATCH_SIZE // world, rank, world, device)
        next_batch, draw = lambda: next(batches), Noise(SEED * 1009 + rank, device)

    os.makedirs(args.out, exist_ok=True)
    metrics = open(os.path.join(args.out, "metrics.jsonl"), "w", encoding="utf-8") if rank == 0 else None
    step = step0
    save = lambda: to_latent_lab(model, optimizers, args.out, step, count)
    seconds = []
    for _ in range(args.steps):
        start = time.perf_counter()
        losses = train_round(net, model, optimizers, next_batch, draw)
        step += 1
        values = torch.stack(list(losses.values()))
        if distributed:
            dist.all_reduce(values)
            values /= world
        line = dict(zip(losses.keys(), values.tolist()))
        # After .tolist(): on a GPU that is when the round has really finished.
        seconds.append(time.perf_counter() - start)
        bad = [name for name, v in line.items() if not math.isfinite(v)]
        if bad:
            raise SystemExit(f"training diverged at step {step}: {bad[0]} became {line[bad[0]]}; lower the learning rate")
        if metrics:
            metrics.write(json.dumps({"step": step, **line}) + "\n")
            metrics.flush()
            if args.checkpoint_every and step % args.checkpoint_every == 0:
                save()
    if rank == 0:
        metrics.close()
        save()
        # The first rounds pay for allocation and kernel selection: the median of the rest is the step time.
        settled = sorted(seconds[2:] or seconds)
        ms = 1000 * settled[len(settled) // 2] if settled else 0.0
        print(f"trained {args.steps} steps ({ms:.1f} ms a round, median after the first 2); wrote {args.out}", file=sys.stderr)
    if distributed:
        dist.destroy_process_group()


def to_latent_lab(model, optimizers, out, step, count):
    """The run as Latent Lab's run folder: its graph, a checkpoint, run.json (metrics.jsonl is written as it goes)."""
    here = os.path.dirname(os.path.abspath(__file__))
    batcher = {"seed": SEED, "batchSize": BATCH_SIZE, "count": count, "epoch": 0, "cursor": 0, "step": step}
    save_checkpoint(model, optimizers, os.path.join(out, "checkpoint"), WEIGHTS, step, batcher)
    with open(os.path.join(here, "graph.json"), "rb") as f:
        graph = f.read()
    with open(os.path.join(out, "graph.json"), "wb") as f:
        f.write(graph)
    name = os.path.basename(os.path.abspath(out)) or "run"
    manifest = {
        "format": "latent-lab-run",
        "version": 1,
        "name": name,
        "colour": "#4e79a7",
        "seed": SEED,
        "backend": "pytorch",
        "data": DATA["source"],
        "step": step,
        "createdAt": datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z"),
        "origin": "cli",
    }
    with open(os.path.join(out, "run.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    try:
        main()
    except LatentLabFileError as e:
        raise SystemExit(f"error: {e}")
`;

export const TRAIN_PY_IMPORTS = String.raw`import argparse
import datetime
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from datasets import GENERATED, load_examples_at
from latent_lab import LatentLabFileError, Noise, RecordedNoise, load_checkpoint, save_checkpoint
from model import WEIGHTS, Model
`;
