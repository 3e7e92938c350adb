import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Scope } from '../store/event-types.js';
import { SearchIndexError, type ScanPage, type SearchIndex, type Visibility } from './search-index.js';

export interface HttpSearchIndexOptions {
  baseUrl: string;
  /** Shared HMAC secret; the platform verifies `x-modpipe-signature`. */
  secret: string;
  timeoutMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
}

/** The signature the platform checks: HMAC-SHA256 over timestamp, method, path and body. */
export function signRequest(secret: string, timestamp: string, method: string, pathAndQuery: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${method}\n${pathAndQuery}\n${body}`).digest('hex');
}

const changedSchema = z.object({ changed: z.boolean() });
const pageSchema = z.object({ entries: z.array(z.unknown()), next: z.string().nullable() });
const visibilitySchema = z.object({ exists: z.boolean(), delisted_global: z.boolean(), delisted_in: z.array(z.string()) });

/**
 * The platform's own search endpoints. Each request is signed; network errors, 429 and 5xx are
 * retried with exponential backoff and jitter; other 4xx are permanent.
 */
export class HttpSearchIndex implements SearchIndex {
  readonly name = 'http';
  private readonly base: URL;

  constructor(private readonly options: HttpSearchIndexOptions) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  }

  async scan(cursor: string | null, limit: number): Promise<ScanPage> {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor) q.set('after', cursor);
    return pageSchema.parse(await this.request('GET', `entries?${q}`));
  }

  async delist(id: string, scope: Scope, key: string): Promise<{ changed: boolean }> {
    return changedSchema.parse(await this.request('POST', `entries/${encodeURIComponent(id)}/delist`, { scope, idempotency_key: key }));
  }

  async restore(id: string, scope: Scope, key: string): Promise<{ changed: boolean }> {
    return changedSchema.parse(await this.request('POST', `entries/${encodeURIComponent(id)}/restore`, { scope, idempotency_key: key }));
  }

  async visibility(id: string): Promise<Visibility> {
    return visibilitySchema.parse(await this.request('GET', `entries/${encodeURIComponent(id)}/visibility`));
  }

  private async request(method: 'GET' | 'POST', relative: string, body?: unknown): Promise<unknown> {
    const url = new URL(relative, this.base);
    const payload = body === undefined ? '' : JSON.stringify(body);
    const attempts = this.options.maxAttempts ?? 5;
    let lastError: Error = new SearchIndexError('no attempt made', false);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const ts = String(Math.floor(Date.now() / 1000));
      try {
        const res = await fetch(url, {
          method,
          body: payload || undefined,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
          headers: {
            'content-type': 'application/json',
            'x-modpipe-timestamp': ts,
            'x-modpipe-signature': `sha256=${signRequest(this.options.secret, ts, method, url.pathname + url.search, payload)}`,
          },
        });
        const text = await res.text();
        if (res.ok) return text ? JSON.parse(text) : {};
        const retryable = res.status === 429 || res.status >= 500;
        lastError = new SearchIndexError(`${method} ${url.pathname} answered ${res.status}: ${text.slice(0, 300)}`, !retryable);
        if (!retryable) throw lastError;
      } catch (e) {
        if (e instanceof SearchIndexError && e.permanent) throw e;
        lastError = e instanceof Error ? e : new Error(String(e));
      }
      if (attempt < attempts) {
        const delay = (this.options.baseDelayMs ?? 200) * 2 ** (attempt - 1);
        await new Promise((r) => setTimeout(r, delay / 2 + Math.random() * (delay / 2)));
      }
    }
    throw new SearchIndexError(`search index unreachable after ${attempts} attempts: ${lastError.message}`, false);
  }
}
