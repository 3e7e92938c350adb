import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSearchIndex, signRequest } from '../../shared/search-index/http-index.js';
import { SearchIndexError } from '../../shared/search-index/search-index.js';

const SECRET = 'test-secret-0123456789';

/** A stand-in for the platform's search endpoints on loopback: verifies signatures, can fail on cue. */
function platform() {
  const delisted = new Map<string, boolean>();
  const state = { failuresLeft: 0, seen: [] as string[] };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const ts = String(req.headers['x-modpipe-timestamp']);
      const expected = `sha256=${signRequest(SECRET, ts, req.method!, req.url!, body)}`;
      state.seen.push(`${req.method} ${req.url}`);
      if (req.headers['x-modpipe-signature'] !== expected) return res.writeHead(401).end('bad signature');
      if (state.failuresLeft > 0) {
        state.failuresLeft--;
        return res.writeHead(503).end('busy');
      }
      const m = /^\/entries\/([^/]+)\/(delist|restore|visibility)$/.exec(req.url!.split('?')[0]!);
      if (req.url!.startsWith('/entries?')) return res.end(JSON.stringify({ entries: [{ id: 'a' }], next: null }));
      if (!m) return res.writeHead(404).end('no such route');
      const id = decodeURIComponent(m[1]!);
      if (id === 'unknown') return res.writeHead(422).end('unknown entry');
      if (m[2] === 'visibility') return res.end(JSON.stringify({ exists: true, delisted_global: delisted.get(id) ?? false, delisted_in: [] }));
      const want = m[2] === 'delist';
      const changed = (delisted.get(id) ?? false) !== want;
      delisted.set(id, want);
      res.end(JSON.stringify({ changed }));
    });
  });
  return { server, state };
}

describe('the http search index adapter', () => {
  const p = platform();
  let base: string;
  beforeAll(async () => {
    await new Promise<void>((r) => p.server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(p.server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => p.server.close(() => r())));

  it('signs requests the platform accepts, and delisting is idempotent', async () => {
    const index = new HttpSearchIndex({ baseUrl: base, secret: SECRET, baseDelayMs: 1 });
    expect(await index.delist('post/1', { global: true }, 'k1')).toEqual({ changed: true });
    expect(await index.delist('post/1', { global: true }, 'k1')).toEqual({ changed: false });
    expect(await index.visibility('post/1')).toMatchObject({ delisted_global: true });
    expect(await index.restore('post/1', { global: true }, 'k2')).toEqual({ changed: true });
    expect(await index.scan(null, 10)).toEqual({ entries: [{ id: 'a' }], next: null });
  });

  it('retries 5xx with backoff until the platform answers', async () => {
    const index = new HttpSearchIndex({ baseUrl: base, secret: SECRET, baseDelayMs: 1, maxAttempts: 5 });
    p.state.failuresLeft = 3;
    expect(await index.delist('post/2', { global: true }, 'k3')).toEqual({ changed: true });
  });

  it('gives up after its attempts with a retryable error, and fails 4xx at once as permanent', async () => {
    const index = new HttpSearchIndex({ baseUrl: base, secret: SECRET, baseDelayMs: 1, maxAttempts: 2 });
    p.state.failuresLeft = 5;
    await expect(index.delist('post/3', { global: true }, 'k4')).rejects.toMatchObject({ permanent: false });
    p.state.failuresLeft = 0;
    const before = p.state.seen.length;
    const err = await index.delist('unknown', { global: true }, 'k5').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SearchIndexError);
    expect(err).toMatchObject({ permanent: true, message: expect.stringMatching(/422/) });
    expect(p.state.seen.length - before).toBe(1);
  });

  it('is refused by the platform with a wrong secret', async () => {
    const index = new HttpSearchIndex({ baseUrl: base, secret: 'wrong-secret-0123456789', baseDelayMs: 1 });
    await expect(index.visibility('x')).rejects.toMatchObject({ permanent: true, message: expect.stringMatching(/401/) });
  });
});
