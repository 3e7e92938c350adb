import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BankStore } from '../../shared/banks/bank-store.js';
import { hash256ToHex } from '../../shared/images/hash256.js';
import { pdqHashImage } from '../../shared/images/pdq-image.js';
import { eventually } from '../support/eventually.js';
import { BENIGN_TEXT, post } from '../support/items.js';
import { backends, openTestDb, type TestDb } from '../support/test-db.js';
import { startTestPipeline, type TestPipeline } from '../support/test-pipeline.js';
import { startTestRedis, type TestRedis } from '../support/test-redis.js';
import { decompressionBombPng, resizedVariant, texturedJpeg } from './image-fixtures.js';
import { startLocalServer, type LocalServer } from './local-http-server.js';

interface Classified {
  verdict: string;
  category: string | null;
  hits: { signal: string; action: string; evidence?: { bank?: string; distance?: number; variant?: string } }[];
  scores: Record<string, number>;
  errors: string[];
  rescan_id?: string;
}

/**
 * Image posts through the real pipeline: pushed with inline image bytes, hashed in the PDQ
 * thread pool, matched against banks kept in the store, taken down, gone from search.
 */
describe.each(backends())('image posts through the pipeline on %s', (backend) => {
  let redis: TestRedis;
  let t: TestDb;
  let p: TestPipeline;
  let banks: BankStore;
  let target: LocalServer;
  let redirector: LocalServer;
  let banked: Buffer;
  let allowed: Buffer;

  beforeAll(async () => {
    redis = await startTestRedis();
    t = await openTestDb(backend);
    banks = new BankStore(t.db);
    banked = await texturedJpeg(11);
    allowed = await texturedJpeg(22);
    await banks.createBank({ name: 'known-bad', label: 'extremism', action: 'takedown' }, 'admin:test');
    await banks.createBank({ name: 'news-photos', label: 'benign', action: 'review', kind: 'allow' }, 'admin:test');
    await banks.addEntries('known-bad', [{ hash: await hex(banked), source_id: 'te:100' }, { hash: await hex(allowed) }], 'admin:test');
    await banks.addEntries('news-photos', [{ hash: await hex(allowed), note: 'press photo, widely shared' }], 'admin:test');

    // The "internal" server an attacker wants us to fetch from, and a server that redirects there.
    target = await startLocalServer((_req, res) => res.end(banked));
    redirector = await startLocalServer((_req, res) => {
      res.writeHead(302, { location: target.url('/secret.jpg') });
      res.end();
    });
    p = await startTestPipeline({
      db: t.db, redisUrl: redis.url, prefix: redis.prefix(),
      env: { TEXT_MODEL: 'none' },
      // Only the redirector's first hop is let through, as a public host would be; where it points is not.
      classifier: { media: { fetch: { allowedPrivateEndpoints: [redirector.endpoint] } }, bankPollMs: 200 },
    });
  });
  afterAll(async () => {
    await p?.stop();
    await t?.drop();
    await redis?.stop();
    await target?.close();
    await redirector?.close();
  });

  const push = async (items: unknown[]) => {
    const res = await p.app.inject({ method: 'POST', url: '/v1/items', headers: { authorization: `Bearer ${p.platformToken}` }, payload: { items } });
    expect(res.statusCode).toBe(202);
  };
  const search = async (q: string) => ((await p.app.inject({ method: 'GET', url: `/search?q=${encodeURIComponent(q)}` })).json() as { results: { id: string }[] }).results.map((r) => r.id);
  const classified = async (id: string) =>
    (await t.db.query<{ payload: Classified }>(`SELECT payload FROM events WHERE subject_id = $1 AND type = 'classified' ORDER BY seq`, [id])).rows.map((r) => r.payload);
  const eventTypes = async (id: string) => (await t.db.query<{ type: string }>('SELECT type FROM events WHERE subject_id = $1 ORDER BY seq', [id])).rows.map((r) => r.type);
  const image = (bytes: Buffer) => ({ kind: 'image', data: bytes.toString('base64') });

  it('takes down a post whose picture is a resized, re-encoded copy of a banked image, and it leaves search', async () => {
    const word = `harbour${randomUUID().slice(0, 6)}`;
    const item = post({ text: `Photos from the ${word} today`, media: [image(await resizedVariant(banked))] as never });
    await push([item]);
    expect(await search(word)).toContain(item.id);
    await eventually(async () => (await eventTypes(item.id!)).includes('takedown'), 30_000, 'takedown');
    const [c] = await classified(item.id!);
    expect(c).toMatchObject({ verdict: 'takedown', category: 'extremism' });
    const hit = c?.hits.find((h) => h.signal === 'bank:known-bad');
    expect(hit?.evidence).toMatchObject({ bank: 'known-bad', variant: 'original' });
    expect(hit?.evidence?.distance).toBeLessThanOrEqual(31);
    expect(await search(word)).not.toContain(item.id);
  });

  it('leaves an allow-listed picture up even though a block bank also lists it', async () => {
    const word = `press${randomUUID().slice(0, 6)}`;
    const item = post({ text: `Front page ${word}`, media: [image(await resizedVariant(allowed))] as never });
    await push([item]);
    await eventually(async () => (await classified(item.id!)).length > 0, 30_000, 'classified');
    const [c] = await classified(item.id!);
    expect(c?.verdict).not.toBe('takedown');
    expect(c?.hits.filter((h) => h.signal.startsWith('bank:'))).toEqual([]);
    expect(c?.scores['bank:news-photos']).toBeGreaterThan(0.87);
    expect(await search(word)).toContain(item.id);
  });

  it('refuses corrupt images, decompression bombs and URLs aimed at loopback, with reasons, and keeps going', async () => {
    const corrupt = (await texturedJpeg(33)).subarray(0, 3000);
    const items = {
      corrupt: post({ text: 'corrupt', media: [image(corrupt)] as never }),
      bomb: post({ text: 'bomb', media: [image(await decompressionBombPng())] as never }),
      loopback: post({ text: 'loopback', media: [{ kind: 'image', url: target.url('/direct.jpg') }] as never }),
      redirect: post({ text: 'redirect', media: [{ kind: 'image', url: redirector.url('/innocent.jpg') }] as never }),
      fine: post({ text: `${BENIGN_TEXT} ${randomUUID().slice(0, 6)}` }),
    };
    await push(Object.values(items));
    for (const item of Object.values(items)) await eventually(async () => (await classified(item.id!)).length > 0, 30_000, `${item.text} classified`);
    const errors = async (item: { id?: string }) => (await classified(item.id!))[0]?.errors.join('\n') ?? '';
    expect(await errors(items.corrupt)).toMatch(/image 0: corrupt: /);
    expect(await errors(items.bomb)).toMatch(/image 0: too_many_pixels: the image is 50000x50000/);
    expect(await errors(items.loopback)).toMatch(/image 0: fetching http:\/\/127\.0\.0\.1:\d+\/direct\.jpg: refusing to connect to 127\.0\.0\.1: loopback.*\[blocked_address\]/);
    expect(await errors(items.redirect)).toMatch(/image 0: fetching http:\/\/127\.0\.0\.1:\d+\/innocent\.jpg: refusing to connect to 127\.0\.0\.1: loopback.*\[blocked_address\]/);
    expect(redirector.requests.length).toBeGreaterThanOrEqual(1);
    expect(target.requests).toHaveLength(0);
    expect((await classified(items.fine.id!))[0]).toMatchObject({ verdict: 'allow', errors: [] });
  });

  it('takes down an already-classified post when its picture is banked later, without re-classifying text-only posts', async () => {
    const later = await texturedJpeg(44);
    const word = `market${randomUUID().slice(0, 6)}`;
    const item = post({ text: `Stalls at the ${word}`, media: [image(later)] as never });
    const textOnly = post({ text: `Opening times of the ${word}` });
    await push([item, textOnly]);
    await eventually(async () => (await classified(item.id!)).length > 0 && (await classified(textOnly.id!)).length > 0, 30_000, 'both classified');
    expect((await classified(item.id!))[0]?.verdict).toBe('allow');
    const stored = await t.db.query('SELECT image_index, quality FROM media_hashes WHERE item_id = $1', [item.id]);
    expect(stored.rows).toHaveLength(1);

    const versionBefore = p.classifier.modelVersion;
    // The platform's copy is mirrored: the bank entry is the flipped picture, matched through the stored variants.
    const { hash } = await pdqHashImage(await (await import('sharp')).default(later).flop().jpeg().toBuffer());
    await banks.addEntries('known-bad', [{ hash: hash256ToHex(hash), source_id: 'te:200' }], 'admin:test');
    await eventually(async () => (await eventTypes(item.id!)).includes('takedown'), 30_000, 'takedown after the bank change');
    const rescanned = (await classified(item.id!))[1];
    expect(rescanned).toMatchObject({ verdict: 'takedown', rescan_id: expect.stringMatching(/^bank-r\d+$/) });
    expect(rescanned?.hits.find((h) => h.signal === 'bank:known-bad')?.evidence).toMatchObject({ variant: 'flipY' });
    expect(await search(word)).toEqual([textOnly.id]);
    expect(await classified(textOnly.id!)).toHaveLength(1);
    expect(p.classifier.modelVersion).toBe(versionBefore);
  });
});

async function hex(bytes: Buffer): Promise<string> {
  return hash256ToHex((await pdqHashImage(bytes)).hash);
}
