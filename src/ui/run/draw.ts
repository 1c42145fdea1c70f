/** Canvas drawing for the run views: image grids, colours by class. Plain DOM, no TF.js. */

/** Ten distinct colours for class labels (Tableau 10), then a hash for more. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
export function classColor(label: number): string {
  return PALETTE[label % PALETTE.length] ?? `hsl(${(label * 47) % 360} 60% 50%)`;
}

/** Height, width and channels of an image-shaped example (28×28×1 → [28, 28, 1]); null for points. */
export function imageDims(shape: number[]): [number, number, number] | null {
  if (shape.length === 3) return [shape[0], shape[1], shape[2]];
  if (shape.length === 2) return [shape[0], shape[1], 1];
  const size = shape.reduce((a, b) => a * b, 1);
  const side = Math.round(Math.sqrt(size));
  return side * side === size && size > 16 ? [side, side, 1] : null;
}

/**
 * Draws n images (values in [0,1]) in a grid of `cols` columns onto a canvas at
 * native resolution with 1-pixel gaps; CSS scales it up (pixelated).
 */
export function drawImageGrid(canvas: HTMLCanvasElement, images: Float32Array, n: number, shape: number[], cols: number): void {
  const dims = imageDims(shape);
  if (!dims) return;
  const [h, w, c] = dims;
  const rows = Math.ceil(n / cols);
  const W = cols * (w + 1) + 1;
  const H = rows * (h + 1) + 1;
  if (canvas.width !== W) canvas.width = W;
  if (canvas.height !== H) canvas.height = H;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(W, H);
  const d = img.data;
  for (let i = 0; i < d.length; i += 4) {
    d[i] = 120;
    d[i + 1] = 120;
    d[i + 2] = 130;
    d[i + 3] = 255;
  }
  const size = h * w * c;
  for (let k = 0; k < n; k++) {
    const ox = (k % cols) * (w + 1) + 1;
    const oy = Math.floor(k / cols) * (h + 1) + 1;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const p = ((oy + y) * W + ox + x) * 4;
        for (let ch = 0; ch < 3; ch++) {
          const v = images[k * size + (y * w + x) * c + (c === 3 ? ch : 0)];
          d[p + ch] = Math.max(0, Math.min(255, Math.round((Number.isFinite(v) ? v : 0) * 255)));
        }
      }
  }
  ctx.putImageData(img, 0, 0);
}

/** A short checksum of an array, so tests (and React keys) can tell a changed image from an unchanged one. */
export function checksum(a: Float32Array): string {
  let h = 0x811c9dc5;
  const step = Math.max(1, Math.floor(a.length / 4096));
  for (let i = 0; i < a.length; i += step) h = Math.imul(h ^ Math.round(a[i] * 255), 0x01000193) >>> 0;
  return h.toString(16);
}

/** Values to colours on a diverging blue–white–red scale, for heatmaps and weights. */
export function diverging(t: number): [number, number, number] {
  const u = Math.max(-1, Math.min(1, t));
  return u < 0 ? [255 + u * 200, 255 + u * 150, 255] : [255, 255 - u * 150, 255 - u * 200];
}
