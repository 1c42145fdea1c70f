/**
 * User files → one DataSet, browser-safe (no DOM, no Node built-ins), so the
 * same code runs in the page's worker and in the CLI. Files are told apart by
 * their bytes; names only give classes, pair IDX files and word the errors.
 * Image decoding is passed in: the browser has createImageBitmap, Node has
 * pngjs and jpeg-js (see nodeImageDecoder in ./node-files.ts).
 */
import { unzipSync } from 'fflate';
import { parsePointsCsv, type PointRows } from './csv.js';
import { DataError } from './errors.js';
import { maybeGunzip } from './gzip.js';
import { idxToDataSet, parseIdx, type IdxFile } from './idx.js';
import { idxStem, labelsNameFor } from './idxNames.js';
import { badImage, classFolders, commonFolders, toGray, type DecodedImage } from './images.js';
import type { DataSet } from './types.js';

export type { DecodedImage } from './images.js';

export interface InputFile {
  /** relative path with '/' separators, e.g. "digits/3/a.png" or "train-images-idx3-ubyte.gz" */
  name: string;
  bytes: Uint8Array;
}
export type ImageDecoder = (bytes: Uint8Array, name: string) => Promise<DecodedImage>;
export interface SkippedFile {
  file: string;
  reason: string;
}
export interface DecodeResult {
  data: DataSet;
  format: 'idx' | 'images' | 'points';
  skipped: SkippedFile[];
}

type Kind = ReturnType<typeof sniff>;

const WHAT_TO_PICK = 'pick an IDX file (with its labels file), a folder or zip of PNG/JPEG images, or a CSV of x,y points';
const MAX_CLASSES = 256; // labels are stored as bytes
const MAX_NESTING = 4; // archives inside archives: a zip of gzipped IDX files is 2
const MAX_BAD_LINES = 20;
// The browser's decoders run off the main thread: a few in flight keep them busy without holding every bitmap at once.
const DECODES_IN_FLIGHT = 8;

const startsWith = (b: Uint8Array, magic: number[]) => b.length >= magic.length && magic.every((v, i) => b[i] === v);

/** Text has no control bytes other than tab, newline, form feed and carriage return (checked in the first 4 KiB). */
function looksLikeText(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  for (let i = 0; i < Math.min(b.length, 4096); i++) {
    const c = b[i];
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d) || c === 0x7f) return false;
  }
  return true;
}

/** What `bytes` hold, from their first bytes alone. IDX means unsigned-byte IDX (what parseIdx reads). */
export function sniff(bytes: Uint8Array): 'gzip' | 'zip' | 'png' | 'jpeg' | 'idx-images' | 'idx-labels' | 'text' | 'unknown' {
  if (startsWith(bytes, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0, 0, 0x08, 0x03])) return 'idx-images';
  if (startsWith(bytes, [0, 0, 0x08, 0x01])) return 'idx-labels';
  return looksLikeText(bytes) ? 'text' : 'unknown';
}

/** A file after archives are opened: `claim` is its name minus any ".gz" it came out of. */
interface Entry extends InputFile {
  kind: Kind;
  claim: string;
}
/** A skipped file, with the hint to show if it turns out to be the only failure. */
interface Skip extends SkippedFile {
  hint?: string;
  /** fine in itself, only not needed (a labels file whose images failed, a PNG beside IDX files) */
  secondary?: boolean;
}

/** OS litter (.DS_Store, ._a.png, __MACOSX/) that is neither data nor a user mistake. */
const isHidden = (name: string) => name.split('/').some((s) => (s.startsWith('.') && s !== '.' && s !== '..') || s === '__MACOSX');
const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function skipOf(e: unknown, file: string): Skip {
  if (e instanceof DataError) {
    const prefix = `${e.file}: `;
    return { file, reason: e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message, hint: e.hint || undefined };
  }
  return { file, reason: `could not be decoded (${e instanceof Error ? e.message : String(e)})` };
}

/** Opens gzip and zip (also nested) into `out`; what cannot be opened goes to `skipped`. */
function expand(file: InputFile, claim: string, depth: number, out: Entry[], skipped: Skip[]): void {
  const kind = sniff(file.bytes);
  if (kind !== 'gzip' && kind !== 'zip') {
    out.push({ ...file, kind, claim });
    return;
  }
  if (depth >= MAX_NESTING) {
    skipped.push({ file: file.name, reason: `archives nested more than ${MAX_NESTING} deep` });
    return;
  }
  if (kind === 'gzip') {
    try {
      expand({ name: file.name, bytes: maybeGunzip(file.bytes, file.name) }, claim.replace(/\.gz$/i, ''), depth + 1, out, skipped);
    } catch (e) {
      skipped.push(skipOf(e, file.name));
    }
    return;
  }
  let entries: Record<string, Uint8Array>;
  try {
    // The filter runs before inflating, so folders and OS litter cost nothing.
    entries = unzipSync(file.bytes, { filter: (f) => !f.name.endsWith('/') && !isHidden(f.name.replace(/\\/g, '/')) });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    skipped.push({
      file: file.name,
      reason: `zip archive is corrupt (${why})`,
      hint: 'the file may be truncated; download or zip it again',
    });
    return;
  }
  const names = Object.keys(entries);
  if (names.length === 0) skipped.push({ file: file.name, reason: 'zip archive holds no files' });
  for (const entry of names) {
    const name = `${file.name}/${entry.replace(/\\/g, '/').replace(/^(\.?\/)+/, '')}`; // old Windows zippers write '\'; some write "./"
    expand({ name, bytes: entries[entry] }, name, depth + 1, out, skipped);
  }
}

const CLAIMS: [RegExp, string][] = [
  [/\.png$/i, 'a PNG image'],
  [/\.jpe?g$/i, 'a JPEG image'],
  [/\.zip$/i, 'a zip archive'],
  [/\.gz$/i, 'gzip data'],
  [/ubyte$/i, 'an IDX file'],
];

/** Why a file that is neither data nor an archive is skipped; a name that promises something else is the likely mistake. */
function unusable(e: Entry): Skip {
  if (e.bytes.length === 0) return { file: e.name, reason: 'is empty (0 bytes)', hint: 'the download or copy may have failed' };
  const claim = CLAIMS.find(([re]) => re.test(e.claim))?.[1];
  if (claim && e.kind === 'text') {
    return {
      file: e.name,
      reason: `is named as ${claim} but holds text`,
      hint: 'an error page saved instead of the file? download it again',
    };
  }
  if (claim) return { file: e.name, reason: `is named as ${claim} but its bytes are not one`, hint: 'the file may be corrupt' };
  return { file: e.name, reason: 'is not a PNG, JPEG, IDX, zip, gzip or CSV file' };
}

/** The DataError when every candidate was skipped: the file's own error when one file failed. */
function nothingUsable(label: string, all: Skip[]): DataError {
  const failed = all.filter((s) => !s.secondary);
  const skips = failed.length > 0 ? failed : all;
  if (skips.length === 1) return new DataError(skips[0].file, skips[0].reason, skips[0].hint ?? WHAT_TO_PICK);
  const listed = skips.slice(0, 5).map((s) => `${s.file}: ${s.reason}`);
  if (skips.length > 5) listed.push(`and ${skips.length - 5} more`);
  return new DataError(label, `nothing usable among ${skips.length} files (${listed.join('; ')})`, WHAT_TO_PICK);
}

/** Class names → labels 0..n-1 in name order (numeric order when every name is an integer). */
function indexClasses(names: string[], file: string): { labels: Uint8Array; classNames: string[] } {
  const classNames = [...new Set(names)];
  if (classNames.length > MAX_CLASSES) {
    throw new DataError(file, `has ${classNames.length} classes; at most ${MAX_CLASSES} are supported`, 'merge some classes');
  }
  const numeric = classNames.every((c) => /^-?\d+$/.test(c));
  classNames.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(classNames.map((c, i) => [c, i]));
  return { labels: Uint8Array.from(names, (n) => index.get(n) ?? 0), classNames };
}

/** A folder or zip name fit for the UI: "mnist.zip" → "mnist". */
const folderLabel = (folders: string[]) => folders[folders.length - 1]?.replace(/\.zip$/i, '');

const notUsed = (entries: Entry[], why: string): Skip[] =>
  entries.map((e) => ({ file: e.name, reason: `not used: ${why}`, secondary: true }));

function readIdx(imageFiles: Entry[], labelFiles: Entry[], label: string, skipped: Skip[], name?: string): DataSet | undefined {
  if (imageFiles.length > 1) {
    throw new DataError(
      label,
      `holds ${imageFiles.length} IDX image files (${imageFiles.map((f) => f.name).join(', ')}); pick one split`,
      'open only the train files (or only the t10k/test files) with their labels',
    );
  }
  const file = imageFiles[0];
  let images: IdxFile;
  try {
    images = parseIdx(file.bytes, file.name);
  } catch (e) {
    skipped.push(skipOf(e, file.name), ...notUsed(labelFiles, `${file.name} could not be read`));
    return undefined;
  }
  const labels: IdxFile[] = [];
  for (const l of labelFiles) {
    try {
      labels.push(parseIdx(l.bytes, l.name));
    } catch (e) {
      skipped.push(skipOf(e, l.name));
    }
  }
  const namedFile = labelsNameFor(
    file.name,
    labels.map((l) => l.file),
  );
  const named = labels.find((l) => l.file === namedFile && l.count === images.count);
  const fitting = labels.filter((l) => l.count === images.count);
  const chosen = named ?? (fitting.length === 1 ? fitting[0] : undefined);
  for (const l of labels) {
    if (l === chosen) continue;
    const reason =
      l.count !== images.count
        ? `holds ${l.count} labels but ${file.name} holds ${images.count} images`
        : chosen
          ? `not used: ${file.name} is labelled by ${chosen.file}`
          : `cannot tell which of ${fitting.length} label files goes with ${file.name}`;
    skipped.push({ file: l.file, reason });
  }
  const folder = folderLabel(file.name.split('/').slice(0, -1));
  return idxToDataSet(images, chosen, name ?? (folder ? `${folder}/${idxStem(file.name)}` : idxStem(file.name)));
}

async function readImages(
  files: Entry[],
  decodeImage: ImageDecoder,
  size: number,
  label: string,
  skipped: Skip[],
  name?: string,
): Promise<DataSet | undefined> {
  const classOf = classFolders(files.map((f) => f.name));
  const classCount = new Set(classOf.filter((c) => typeof c === 'string')).size;
  if (classCount > MAX_CLASSES) {
    throw new DataError(
      label,
      `has ${classCount} class folders; at most ${MAX_CLASSES} classes are supported`,
      'group the images into fewer folders',
    );
  }
  const wanted: { file: Entry; cls: string | undefined }[] = [];
  files.forEach((file, i) => {
    const cls = classOf[i];
    if (cls === null)
      skipped.push({ file: file.name, reason: 'is a loose image beside the class folders', hint: 'move it into the folder of its class' });
    else wanted.push({ file, cls });
  });
  const decoded: (Float32Array | Skip)[] = new Array(wanted.length);
  let next = 0;
  const decodeNext = async () => {
    while (next < wanted.length) {
      const i = next++;
      const { name: file, bytes } = wanted[i].file;
      try {
        const img = await decodeImage(bytes, file);
        const bad = badImage(img);
        if (bad) throw new DataError(file, bad);
        const gray = new Float32Array(size * size);
        toGray(img, size, gray, 0);
        decoded[i] = gray;
      } catch (e) {
        decoded[i] = skipOf(e, file);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DECODES_IN_FLIGHT, wanted.length) }, decodeNext));
  const ok: { gray: Float32Array; cls: string | undefined }[] = [];
  decoded.forEach((d, i) => (d instanceof Float32Array ? ok.push({ gray: d, cls: wanted[i].cls }) : skipped.push(d)));
  if (ok.length === 0) return undefined;
  const x = new Float32Array(ok.length * size * size);
  ok.forEach((o, i) => x.set(o.gray, i * size * size));
  const ds: DataSet = {
    name: name ?? folderLabel(commonFolders(files.map((f) => f.name))) ?? 'images',
    kind: 'image',
    shape: [size, size, 1],
    count: ok.length,
    x,
    numClasses: 0,
  };
  if (ok[0].cls !== undefined) {
    const classes = indexClasses(
      ok.map((o) => o.cls ?? ''),
      label,
    );
    ds.labels = classes.labels;
    ds.classNames = classes.classNames;
    ds.numClasses = classes.classNames.length;
  }
  return ds;
}

function readPoints(files: Entry[], label: string, skipped: Skip[], name?: string): DataSet | undefined {
  const used: { file: Entry; rows: PointRows }[] = [];
  for (const file of files) {
    const rows = parsePointsCsv(new TextDecoder().decode(file.bytes));
    if (typeof rows === 'string') {
      skipped.push({ file: file.name, reason: rows, hint: 'a CSV of points has 2 columns (x,y) and optionally a third (class)' });
    } else if (rows.xy.length === 0) {
      const why = rows.bad.length > 0 ? ` (${rows.bad.slice(0, 3).join('; ')})` : '';
      skipped.push({ file: file.name, reason: `holds no usable x,y rows${why}`, hint: 'each row needs two numbers: x,y' });
    } else if (used.length > 0 && rows.columns !== used[0].rows.columns) {
      skipped.push({ file: file.name, reason: `has ${rows.columns} columns but ${used[0].file.name} has ${used[0].rows.columns}` });
    } else {
      used.push({ file, rows });
      for (const bad of rows.bad.slice(0, MAX_BAD_LINES)) skipped.push({ file: file.name, reason: bad });
      if (rows.bad.length > MAX_BAD_LINES)
        skipped.push({ file: file.name, reason: `and ${rows.bad.length - MAX_BAD_LINES} more bad lines` });
    }
  }
  if (used.length === 0) return undefined;
  const x = Float32Array.from(used.flatMap((u) => u.rows.xy));
  const stem = baseName(used[0].file.claim).replace(/\.[^.]*$/, '');
  const ds: DataSet = { name: name ?? stem, kind: 'points', shape: [2], count: x.length / 2, x, numClasses: 0 };
  if (used[0].rows.columns === 3) {
    const classes = indexClasses(
      used.flatMap((u) => u.rows.classes),
      used.length === 1 ? used[0].file.name : label,
    );
    ds.labels = classes.labels;
    ds.classNames = classes.classNames;
    ds.numClasses = classes.classNames.length;
  }
  return ds;
}

/**
 * Decodes a set of user files (picked, dropped, or read from disk) into one
 * DataSet. The format follows what is there: an IDX image file (with its labels
 * file when present) wins, then PNG/JPEG images (class = sub-folder), then CSV
 * points; every other file is listed in `skipped` with a reason. Throws a
 * DataError (message + hint) when nothing usable is left or the set is ambiguous.
 * `size`: the side images are resized to (default 28); IDX keeps its own size.
 * `name`: the DataSet's name, instead of one made from the file names.
 */
export async function decodeFiles(
  files: InputFile[],
  decodeImage: ImageDecoder,
  opts: { size?: number; name?: string } = {},
): Promise<DecodeResult> {
  const size = opts.size ?? 28;
  if (!(Number.isInteger(size) && size >= 1 && size <= 1024)) {
    throw new DataError('size', `must be a whole number of pixels from 1 to 1024, got ${size}`);
  }
  if (files.length === 0) throw new DataError('(no files)', 'nothing to read', WHAT_TO_PICK);
  // What a whole-set error is blamed on: the dropped folder or zip, else the files.
  const label = folderLabel(commonFolders(files.map((f) => f.name))) ?? (files.length === 1 ? files[0].name : `${files.length} files`);

  const skipped: Skip[] = [];
  const entries: Entry[] = [];
  for (const f of files) if (!isHidden(f.name)) expand(f, f.name, 0, entries, skipped);
  if (entries.length === 0 && skipped.length === 0) {
    throw new DataError(label, 'holds only hidden or system files (.DS_Store, __MACOSX…)', WHAT_TO_PICK);
  }
  entries.sort(byName); // the same files give the same example order, whatever order they were picked in
  const of = (...kinds: Kind[]) => entries.filter((e) => kinds.includes(e.kind));
  // Text named like a binary file (an HTML error page saved as "x.png") is a mistake, not a CSV.
  const isCsv = (e: Entry) => !CLAIMS.some(([re]) => re.test(e.claim));
  const idxImages = of('idx-images');
  const idxLabels = of('idx-labels');
  const images = of('png', 'jpeg');
  const texts = of('text').filter(isCsv);
  skipped.push(...entries.filter((e) => e.kind === 'unknown' || (e.kind === 'text' && !isCsv(e))).map(unusable));

  const done = (data: DataSet, format: DecodeResult['format']): DecodeResult => ({
    data,
    format,
    skipped: skipped.map((s) => ({ file: s.file, reason: s.reason })),
  });
  if (idxImages.length > 0) {
    const ds = readIdx(idxImages, idxLabels, label, skipped, opts.name);
    if (ds) {
      skipped.push(...notUsed([...images, ...texts], `the files were read as IDX from ${idxImages[0].name}`));
      return done(ds, 'idx');
    }
  } else {
    skipped.push(
      ...idxLabels.map((e) => ({ file: e.name, reason: 'is an IDX label file, but no IDX image file came with it', hint: WHAT_TO_PICK })),
    );
  }
  if (images.length > 0) {
    const ds = await readImages(images, decodeImage, size, label, skipped, opts.name);
    if (ds) {
      skipped.push(...notUsed(texts, 'the files were read as images'));
      return done(ds, 'images');
    }
  }
  if (texts.length > 0) {
    const ds = readPoints(texts, label, skipped, opts.name);
    if (ds) return done(ds, 'points');
  }
  throw nothingUsable(label, skipped);
}
