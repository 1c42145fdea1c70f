/** Decoded pixels → the grayscale examples every image model here trains on (browser-safe). */

/** What an image decoder hands back: 8-bit RGBA, row-major, 4 bytes per pixel. */
export interface DecodedImage {
  width: number;
  height: number;
  rgba: Uint8Array | Uint8ClampedArray;
}

/**
 * Writes `img` as size×size grayscale in [0,1] into `out` at `at`: luma,
 * composited over black so transparent pixels are background, resized by
 * nearest neighbour (sampling pixel centres).
 */
export function toGray(img: DecodedImage, size: number, out: Float32Array, at: number): void {
  const { width, height, rgba } = img;
  for (let i = 0; i < size; i++) {
    const sy = Math.floor(((i + 0.5) * height) / size);
    for (let j = 0; j < size; j++) {
      const p = 4 * (sy * width + Math.floor(((j + 0.5) * width) / size));
      const luma = 0.299 * rgba[p] + 0.587 * rgba[p + 1] + 0.114 * rgba[p + 2];
      out[at + i * size + j] = (luma * rgba[p + 3]) / (255 * 255);
    }
  }
}

/** Why `img` cannot be used, or undefined when its size and buffer agree. */
export function badImage(img: DecodedImage): string | undefined {
  const { width, height, rgba } = img;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0))
    return `image size ${width}×${height} is not usable`;
  if (rgba.length !== 4 * width * height) return `decoder returned ${rgba.length} bytes for ${width}×${height} RGBA`;
  return undefined;
}

/** The folders of a '/'-separated path (without the file name). */
const foldersOf = (path: string) => path.split('/').slice(0, -1);

/** The folders every path starts with: ["digits"] for "digits/3/a.png" and "digits/7/b.png". */
export function commonFolders(paths: string[]): string[] {
  const dirs = paths.map(foldersOf);
  if (dirs.length === 0) return [];
  let n = Math.min(...dirs.map((d) => d.length));
  for (const d of dirs) while (n > 0 && d.slice(0, n).some((s, i) => s !== dirs[0][i])) n--;
  return dirs[0].slice(0, n);
}

/**
 * The class of each image. The common root of all paths is never a class (a
 * zip whose entries all start with "digits/" has no class "digits"); below it,
 * the folder directly above a file is its class. When no image sits in a
 * sub-folder the set is unlabelled (`undefined`); when some do, the loose ones
 * have no class (`null`) and the caller skips them.
 */
export function classFolders(paths: string[]): (string | null | undefined)[] {
  const depth = commonFolders(paths).length;
  const dirs = paths.map(foldersOf);
  const labelled = dirs.some((d) => d.length > depth);
  return dirs.map((d) => (!labelled ? undefined : d.length > depth ? d[d.length - 1] : null));
}
