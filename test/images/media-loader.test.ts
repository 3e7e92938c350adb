import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaRefSchema, type MediaRef } from '../../shared/items/item-schema.js';
import { loadMedia } from '../../shared/images/media-loader.js';
import { startLocalServer, type LocalServer } from './local-http-server.js';
import { loadPdqReferenceData } from './pdq-reference-data.js';

const data = loadPdqReferenceData();
const jpeg = data.read('wee.jpg');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const ref = (r: Omit<MediaRef, 'kind'>): MediaRef => mediaRefSchema.parse({ kind: 'image', ...r });

let server: LocalServer;
beforeAll(async () => {
  server = await startLocalServer((req, res) => {
    if (req.url === '/wee.jpg') {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(jpeg);
    } else if (req.url === '/slow.jpg') {
      setTimeout(() => res.end(jpeg), 150);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
});
afterAll(() => server.close());

describe('loadMedia', () => {
  it('decodes inline base64 and hashes the bytes', async () => {
    const [source] = await loadMedia([ref({ data: jpeg.toString('base64') })]);
    expect(source).toEqual({ index: 0, ok: true, bytes: jpeg, sha256: sha(jpeg) });
  });

  it('fetches URLs through safe-fetch (loopback allowed only because the test says so)', async () => {
    const [source] = await loadMedia([ref({ url: server.url('/wee.jpg') })], { fetch: { allowPrivateAddresses: true } });
    expect(source).toMatchObject({ index: 0, ok: true, sha256: sha(jpeg) });
  });

  it('keeps one result per reference, in order, and a bad one never throws or spoils the others', async () => {
    const refs = [
      ref({ url: server.url('/slow.jpg') }),
      ref({ data: 'not base64!!' }),
      ref({ url: server.url('/missing.jpg') }),
      ref({ data: jpeg.toString('base64') }),
      ref({ url: 'http://169.254.169.254/latest/meta-data/' }),
      ref({ data: ' \n ' }),
    ];
    const sources = await loadMedia(refs, { fetch: { allowedPrivateEndpoints: [server.endpoint] } });
    expect(sources.map((s) => [s.index, s.ok])).toEqual([
      [0, true],
      [1, false],
      [2, false],
      [3, true],
      [4, false],
      [5, false],
    ]);
    const errors = sources.map((s) => (s.ok ? '' : s.error));
    expect(errors[1]).toBe('inline data is not valid base64');
    expect(errors[2]).toMatch(/HTTP 404 .*\[http_status\]/);
    expect(errors[4]).toMatch(/169\.254\.169\.254.*link-local.*\[blocked_address\]/);
    expect(errors[5]).toBe('inline data is empty');
  });

  it('refuses loopback URLs by default', async () => {
    const before = server.requests.length;
    const [source] = await loadMedia([ref({ url: server.url('/wee.jpg') })]);
    expect(source?.ok).toBe(false);
    expect(source && !source.ok && source.error).toMatch(/loopback.*\[blocked_address\]/);
    expect(server.requests.length).toBe(before);
  });

  it('caps inline data size', async () => {
    const [source] = await loadMedia([ref({ data: jpeg.toString('base64') })], { maxInlineBytes: 100 });
    expect(source && !source.ok && source.error).toMatch(/more than the 100 allowed/);
  });

  it('returns an empty list for no media', async () => {
    expect(await loadMedia([])).toEqual([]);
  });
});
