import { createHash } from 'node:crypto';
import { ITEM_LIMITS, type MediaRef } from '../items/item-schema.js';
import type { ImageSource } from '../signals/signal.js';
import { ImageFetchError, safeFetchImage, type SafeFetchOptions } from './safe-fetch.js';

/**
 * Turns an item's media references into the bytes image signals read. Each reference becomes
 * exactly one ImageSource at the same index, either bytes or a readable reason: one dead link or
 * bad base64 must cost that image, never the item, so nothing here throws.
 */

export interface MediaLoaderOptions {
  /** Passed to safe-fetch for `url` references (byte cap, deadline, redirects). */
  fetch?: SafeFetchOptions;
  /** Fetches in flight at once for one call. */
  concurrency?: number;
  /** Cap on decoded inline `data`; the item schema caps the base64 text to the same size. */
  maxInlineBytes?: number;
}

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

export async function loadMedia(refs: readonly MediaRef[], options: MediaLoaderOptions = {}): Promise<ImageSource[]> {
  const out: ImageSource[] = new Array<ImageSource>(refs.length);
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 4, refs.length));
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < refs.length; index = next++) {
      const ref = refs[index];
      out[index] = ref ? await loadOne(ref, index, options) : { index, ok: false, error: 'missing media reference' };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

async function loadOne(ref: MediaRef, index: number, options: MediaLoaderOptions): Promise<ImageSource> {
  try {
    if (ref.data !== undefined) return fromInline(ref.data, index, options.maxInlineBytes ?? ITEM_LIMITS.inlineImageBytes);
    if (ref.url !== undefined) {
      const fetched = await safeFetchImage(ref.url, options.fetch);
      if (fetched.bytes.length === 0) return { index, ok: false, error: `${describe(ref)}: the server sent an empty body` };
      return { index, ok: true, bytes: fetched.bytes, sha256: sha256(fetched.bytes) };
    }
    return { index, ok: false, error: 'media reference has neither url nor data' };
  } catch (err) {
    if (err instanceof ImageFetchError) return { index, ok: false, error: `${describe(ref)}: ${err.message} [${err.reason}]` };
    return { index, ok: false, error: `${describe(ref)}: unexpected error: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function fromInline(data: string, index: number, maxBytes: number): ImageSource {
  // Buffer.from(..., 'base64') silently skips junk; check first so a mangled payload is reported, not half-decoded.
  const compact = data.replace(/\s+/g, '');
  if (compact.length === 0) return { index, ok: false, error: 'inline data is empty' };
  if (compact.length % 4 !== 0 || !BASE64_RE.test(compact)) return { index, ok: false, error: 'inline data is not valid base64' };
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > maxBytes) return { index, ok: false, error: `inline data is ${bytes.length} bytes, more than the ${maxBytes} allowed` };
  return { index, ok: true, bytes, sha256: sha256(bytes) };
}

function describe(ref: MediaRef): string {
  const url = ref.url ?? '';
  return `fetching ${url.length > 200 ? `${url.slice(0, 200)}...` : url}`;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
