import type { Scope } from '../store/event-types.js';

export interface Visibility {
  exists: boolean;
  delisted_global: boolean;
  delisted_in: string[];
}

export interface ScanPage {
  /** Raw entries as the index holds them; the classify worker validates each. */
  entries: unknown[];
  /** Cursor for the next page; null when the scan reached the end. */
  next: string | null;
}

/** The platform's search index, as modpipe needs it (DESIGN §3). */
export interface SearchIndex {
  readonly name: string;
  /** Keyset pagination: entries strictly after `cursor`, in a stable order. */
  scan(cursor: string | null, limit: number): Promise<ScanPage>;
  /** Idempotent: `changed` is false when the scope was already delisted. `key` is the decision id. */
  delist(id: string, scope: Scope, key: string): Promise<{ changed: boolean }>;
  restore(id: string, scope: Scope, key: string): Promise<{ changed: boolean }>;
  visibility(id: string): Promise<Visibility>;
  close?(): Promise<void>;
}

/** A failure the adapter will not overcome by retrying (bad request, unknown entry...). */
export class SearchIndexError extends Error {
  override readonly name = 'SearchIndexError';
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

