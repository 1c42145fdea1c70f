/** datasets.py of an exported project: every data source train.py reads, each as Latent Lab reads or makes it. */

/** The 2-D sets datasets.py makes itself, as src/data/mixtures.ts does, and the drawn points the document holds. */
export const GENERATED_SOURCES = ['ring', 'grid', 'spiral', 'moons', 'drawn'];

/** Points Latent Lab makes of a 2-D mixture when the Dataset gives no count (src/data/registry.ts's DEFAULT_COUNT.mixture). */
export const MIXTURE_COUNT = 2000;

export const DATASETS_PY = String.raw`"""The examples train.py trains on, read or made as Latent Lab does.

- MNIST-format IDX files (latent_lab.read_idx_data);
- an image folder: PNG or JPEG files, one sub-folder per class (or none: unlabelled), turned
  into size x size grey images exactly as Latent Lab's pngdir source does (luma over black,
  nearest-neighbour resize at pixel centres); needs Pillow;
- Latent Lab's 2-D sets ring, grid, spiral and moons, made from the same seeded generator
  (mulberry32 with Box-Muller), so the same seed gives the same points as in Latent Lab;
- points drawn on Latent Lab's 2-D playground, which the graph itself holds.

Every reader returns examples as float32 [N, ...] in Latent Lab's layout (images N x H x W x C,
values in [0, 1]) and labels (int64 [N]) or None.
"""
import math
import os
import re

import numpy as np

from latent_lab import LatentLabFileError, read_idx_data

MASK = 0xFFFFFFFF


class Rng:
    """Latent Lab's seeded generator (src/graph/random.ts): mulberry32, normals by Box-Muller."""

    def __init__(self, seed):
        self.state = (seed & MASK) ^ 0x9E3779B9
        self.spare = None

    def next(self):
        """Uniform in [0, 1)."""
        self.state = (self.state + 0x6D2B79F5) & MASK
        t = self.state
        t = ((t ^ (t >> 15)) * (t | 1)) & MASK
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & MASK)) & MASK
        return ((t ^ (t >> 14)) & MASK) / 4294967296

    def normal(self):
        if self.spare is not None:
            spare, self.spare = self.spare, None
            return spare
        u = 0.0
        while u == 0:
            u = self.next()
        v = self.next()
        r = math.sqrt(-2 * math.log(u))
        self.spare = r * math.sin(2 * math.pi * v)
        return r * math.cos(2 * math.pi * v)


def _ring(c, rng):
    a = 2 * math.pi * c / 8
    return 2 * math.cos(a) + 0.05 * rng.normal(), 2 * math.sin(a) + 0.05 * rng.normal()


def _grid(c, rng):
    return (c % 5) - 2 + 0.05 * rng.normal(), c // 5 - 2 + 0.05 * rng.normal()


def _spiral(c, rng):
    t = math.sqrt(rng.next())
    a = t * 3 * math.pi + c * math.pi
    return 2 * t * math.cos(a) + 0.04 * rng.normal(), 2 * t * math.sin(a) + 0.04 * rng.normal()


def _moons(c, rng):
    a = math.pi * rng.next()
    x = (math.cos(a) if c == 0 else 1 - math.cos(a)) - 0.5 + 0.05 * rng.normal()
    y = (math.sin(a) if c == 0 else 0.5 - math.sin(a)) - 0.25 + 0.05 * rng.normal()
    return x, y


# Each set: its components (taken in turn, so classes are balanced) and one point of component c.
MIXTURES = {"ring": (8, _ring), "grid": (25, _grid), "spiral": (2, _spiral), "moons": (2, _moons)}


def make_mixture(kind, count, seed):
    """count points of a Latent Lab 2-D set, labelled by component."""
    components, sample = MIXTURES[kind]
    rng = Rng(seed)
    x = np.empty((count, 2), dtype=np.float32)
    for i in range(count):
        x[i] = sample(i % components, rng)
    return x, np.arange(count, dtype=np.int64) % components


def drawn_points(text):
    """The points drawn on the 2-D playground, as the graph stores them ("x,y x,y ...")."""
    try:
        points = [[float(v) for v in part.split(",")] for part in text.split()]
    except ValueError as e:
        raise LatentLabFileError(f"the graph's drawn points are not x,y pairs ({e})") from e
    if not points or any(len(p) != 2 for p in points):
        raise LatentLabFileError("the graph holds no drawn points (x,y pairs); draw some on the 2-D playground")
    return np.array(points, dtype=np.float32), None


IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg")


def _image_files(root):
    """Image files under root, depth first in name order (hidden ones aside), as paths relative to root."""
    out = []
    for entry in sorted(os.listdir(root)):
        if entry.startswith("."):
            continue
        path = os.path.join(root, entry)
        if os.path.isdir(path):
            out += [os.path.join(entry, f) for f in _image_files(path)]
        elif entry.lower().endswith(IMAGE_EXTENSIONS):
            out.append(entry)
    return out


def _gray(path, size):
    """size x size grey values in [0, 1]: luma composited over black, nearest neighbour at pixel centres."""
    from PIL import Image

    with Image.open(path) as image:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.float64)
    height, width = rgba.shape[:2]
    rows = np.floor((np.arange(size) + 0.5) * height / size).astype(int)
    cols = np.floor((np.arange(size) + 0.5) * width / size).astype(int)
    p = rgba[rows][:, cols]
    luma = 0.299 * p[..., 0] + 0.587 * p[..., 1] + 0.114 * p[..., 2]
    return (luma * p[..., 3] / (255 * 255)).astype(np.float32)


def read_image_folder(root, size):
    """An image folder: the folder right above each image is its class; with no sub-folders the set is unlabelled."""
    try:
        import PIL  # noqa: F401
    except ImportError as e:
        raise LatentLabFileError(f"{root}: reading images needs Pillow; install it with pip install pillow") from e
    files = _image_files(root)
    if not files:
        raise LatentLabFileError(f"{root}: no PNG or JPEG images in this folder")
    dirs = [os.path.dirname(f).split(os.sep) if os.path.dirname(f) else [] for f in files]
    # The folders every image shares are never a class; below them, the folder right above an image is.
    depth = len(os.path.commonprefix(dirs))
    labelled = any(len(d) > depth for d in dirs)
    # An image beside the class folders has no class, so Latent Lab leaves it out.
    kept = [(f, d[-1] if labelled else None) for f, d in zip(files, dirs) if not labelled or len(d) > depth]
    x = np.stack([_gray(os.path.join(root, f), size) for f, _ in kept])[..., None]
    if not labelled:
        return x, None
    names = [name for _, name in kept]
    numeric = all(re.fullmatch(r"-?[0-9]+", n) for n in names)
    classes = sorted(set(names), key=int if numeric else None)
    index = {name: i for i, name in enumerate(classes)}
    return x, np.array([index[n] for n in names], dtype=np.int64)


def _holds_idx(folder):
    return any("idx3" in name for name in os.listdir(folder))


# Sources made here, which need no --data.
GENERATED = [*MIXTURES, "drawn"]


def load_examples_at(data, seed, path):
    """The graph's examples: from path (--data) when given, else from where its Dataset says."""
    source = data["source"]
    if not path and source in MIXTURES:
        return make_mixture(source, data["count"], seed)
    if not path and source == "drawn":
        return drawn_points(data["points"])
    path = path or data["path"]
    if not path:
        raise LatentLabFileError("--data is needed: an MNIST-format IDX file or folder, or an image folder")
    if not os.path.exists(path):
        raise LatentLabFileError(f"{path}: not found; pass an IDX file or folder, or an image folder")
    if os.path.isdir(path) and not _holds_idx(path):
        return read_image_folder(path, data["shape"][0])
    return read_idx_data(path)
`;
