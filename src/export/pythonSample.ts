/** The fixed part of sample.py: loading weights, drawing, and writing the samples (pytorch.ts writes generate() above it). */

export const SAMPLE_PY_BODY = String.raw`

def write_png(path, images):
    """A grid of grey images in [0, 1] (N x H x W), as an 8-bit PNG, with nothing but zlib."""
    n, h, w = images.shape
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    grid = np.zeros((rows * (h + 1) + 1, cols * (w + 1) + 1), dtype=np.uint8)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        grid[1 + r * (h + 1) : 1 + r * (h + 1) + h, 1 + c * (w + 1) : 1 + c * (w + 1) + w] = np.round(image * 255)
    raw = b"".join(b"\x00" + row.tobytes() for row in grid)
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", grid.shape[1], grid.shape[0], 8, 0, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    bundled = os.path.join(here, "weights")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--weights",
        default=bundled if os.path.isdir(bundled) else None,
        help="a Latent Lab checkpoint folder, e.g. run/checkpoint from train.py (default: the exported weights/)",
    )
    parser.add_argument("--n", type=int, default=16, help="how many samples")
    parser.add_argument("--label", type=int, help="the class of every sample (default: the classes in turn)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the noise")
    parser.add_argument("--out", default="samples", help="writes OUT.npy (Latent Lab's layout) and OUT.png (images) or OUT.csv (points)")
    parser.add_argument("--replay", help="a file of recorded float32 noise to draw instead (parity checks)")
    for name, value in SETTINGS.items():
        parser.add_argument(f"--{name}", type=type(value), default=value, help=f"the graph's {name} is {value}")
    args = parser.parse_args()
    if not args.weights:
        parser.error("--weights is needed: a Latent Lab checkpoint folder (train.py writes OUT/checkpoint)")
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = Model().to(device)
    load_checkpoint(model, [], args.weights, WEIGHTS)
    model.eval()
    draw = RecordedNoise(args.replay, device) if args.replay else Noise(args.seed, device)
    labels = None
    if CLASSES:
        if args.label is not None and not 0 <= args.label < CLASSES:
            parser.error(f"--label must be from 0 to {CLASSES - 1}")
        chosen = [args.label if args.label is not None else i % CLASSES for i in range(args.n)]
        labels = torch.nn.functional.one_hot(torch.tensor(chosen), CLASSES).float().to(device)
    settings = {name: getattr(args, name) for name in SETTINGS}
    with torch.no_grad():
        x = nhwc(generate(model, args.n, labels, draw, settings)).cpu().numpy().astype(np.float32)
    np.save(args.out + ".npy", x)
    if x.ndim == 4:
        write_png(args.out + ".png", x[..., 0])
        print(f"wrote {args.out}.npy and {args.out}.png", file=sys.stderr)
    else:
        np.savetxt(args.out + ".csv", x.reshape(args.n, -1), delimiter=",", fmt="%.6g")
        print(f"wrote {args.out}.npy and {args.out}.csv", file=sys.stderr)


if __name__ == "__main__":
    try:
        main()
    except LatentLabFileError as e:
        raise SystemExit(f"error: {e}")
`;
