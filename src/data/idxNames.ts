/**
 * How IDX files are named (MNIST, Fashion-MNIST and their copies): one set of
 * rules shared by the Node loaders and the browser-safe decoder.
 */

// "train-images-idx3-ubyte.gz", "t10k-images.idx3-ubyte", "test-images-idx3-ubyte"...
export const IMAGES_RE = /^(.*?)([-.]?)images([-.])idx3([-.])ubyte(\.gz)?$/;
export const LABELS_RE = /labels[-.]idx1[-.]ubyte/;

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/**
 * The label file that goes with an image file: same folder and prefix,
 * "labels-idx1". Names may be bare file names or '/'-separated paths.
 */
export function labelsNameFor(imagesName: string, files: string[]): string | undefined {
  const dir = imagesName.slice(0, imagesName.length - baseName(imagesName).length);
  const m = IMAGES_RE.exec(baseName(imagesName));
  if (!m) return undefined;
  const stem = `${dir}${m[1]}${m[2]}labels${m[3]}idx1${m[4]}ubyte`;
  return files.find((f) => f === stem || f === `${stem}.gz`);
}

/** Test files are named t10k-* (MNIST) or test-*; everything else counts as train. */
export const isTestName = (name: string) => /^(t10k|test)\b/.test(baseName(name));

/** "train-images-idx3-ubyte.gz" → "train": the split part, which reads better in the UI. */
export function idxStem(imagesName: string): string {
  const base = baseName(imagesName);
  return IMAGES_RE.exec(base)?.[1] || base;
}
