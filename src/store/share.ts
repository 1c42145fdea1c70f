/**
 * Share links carry the whole document, lz-string compressed, in the URL hash
 * (`#graph=…`), so nothing leaves the browser. Links past the cap are refused:
 * chat apps and some browsers cut long URLs, which would hand out broken links.
 */
import LZString from 'lz-string';
import type { GraphDocument } from '../graph/document';
import { loadDocumentText, type LoadResult } from '../graph/load';
import { registry } from '../../nodes/index';

export const SHARE_PREFIX = '#graph=';
/** Characters of the hash, prefix included. */
export const SHARE_LINK_CAP = 32_000;

export function encodeShareHash(doc: GraphDocument): { ok: true; hash: string } | { ok: false; message: string } {
  const hash = SHARE_PREFIX + LZString.compressToEncodedURIComponent(JSON.stringify(doc));
  if (hash.length > SHARE_LINK_CAP)
    return {
      ok: false,
      message: `This graph needs a ${Math.ceil(hash.length / 1000)} kB link; links are capped at ${SHARE_LINK_CAP / 1000} kB so they survive being pasted. Export a .json file instead.`,
    };
  return { ok: true, hash };
}

export function isShareHash(hash: string): boolean {
  return hash.startsWith(SHARE_PREFIX);
}

/** Decodes and validates exactly like a file: one load path. */
export function decodeShareHash(hash: string): LoadResult {
  const source = 'share link';
  if (hash.length > SHARE_LINK_CAP)
    return {
      ok: false,
      error: {
        code: 'parse',
        source,
        message: `the link is longer than ${SHARE_LINK_CAP / 1000} kB`,
        hint: 'ask for the graph as a .json file',
      },
    };
  const text = LZString.decompressFromEncodedURIComponent(hash.slice(SHARE_PREFIX.length));
  if (!text)
    return {
      ok: false,
      error: { code: 'parse', source, message: 'the link is damaged and cannot be decoded', hint: 'copy the whole link again' },
    };
  return loadDocumentText(text, source, registry);
}
