/**
 * Share links carry the whole document, deflated (fflate, the one compressor
 * the product uses) and base64url-encoded, in the URL hash (`#graph=1.…`), so
 * nothing leaves the browser. Links past the cap are refused: chat apps and
 * some browsers cut long URLs, which would hand out broken links.
 */
import { deflateSync, inflateSync, strFromU8, strToU8 } from 'fflate';
import type { GraphDocument } from '../graph/document';
import { loadDocumentText, type LoadResult } from '../graph/load';
import { registry } from '../../nodes/index';

export const SHARE_PREFIX = '#graph=';
/** Characters of the hash, prefix included. */
export const SHARE_LINK_CAP = 32_000;
/** The payload's format version; links without it came from the lz-string links of early versions. */
const FORMAT = '1.';

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    return Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** `1.` and the text deflated and base64url-encoded: the payload of share links and pack links (#pack=). */
export function encodeLinkPayload(text: string): string {
  return FORMAT + toBase64Url(deflateSync(strToU8(text), { level: 9 }));
}

/** The text a payload made by encodeLinkPayload holds, or null when it does not decode. */
export function decodeLinkPayload(payload: string): string | null {
  if (!payload.startsWith(FORMAT)) return null;
  const bytes = fromBase64Url(payload.slice(FORMAT.length));
  if (!bytes) return null;
  try {
    return strFromU8(inflateSync(bytes));
  } catch {
    return null;
  }
}

export function encodeShareHash(doc: GraphDocument): { ok: true; hash: string } | { ok: false; message: string } {
  const hash = SHARE_PREFIX + encodeLinkPayload(JSON.stringify(doc));
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
  const payload = hash.slice(SHARE_PREFIX.length);
  if (!payload.startsWith(FORMAT))
    return {
      ok: false,
      error: {
        code: 'parse',
        source,
        message: 'the link was made by an early version of Latent Lab, whose links this version no longer reads',
        hint: 'ask for the graph as a .json file, or for a new link',
      },
    };
  const text = decodeLinkPayload(payload);
  if (!text)
    return {
      ok: false,
      error: { code: 'parse', source, message: 'the link is damaged and cannot be decoded', hint: 'copy the whole link again' },
    };
  return loadDocumentText(text, source, registry);
}
