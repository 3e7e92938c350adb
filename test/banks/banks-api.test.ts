import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { PrincipalService } from '../../shared/auth/principal-service.js';
import { loadConfig } from '../../shared/config.js';
import { hash256ToHex } from '../../shared/images/hash256.js';
import { pdqHashImage } from '../../shared/images/pdq-image.js';
import { createLogger } from '../../shared/logger.js';
import { openInfrastructure, type Infrastructure } from '../../shared/wiring/infrastructure.js';
import { resizedVariant, texturedJpeg } from '../images/image-fixtures.js';
import { backends, openTestDb, type TestDb } from '../support/test-db.js';
import { startTestRedis, type TestRedis } from '../support/test-redis.js';

const randomHex = () => Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');

describe.each(backends())('the /v1/banks API on %s', (backend) => {
  let redis: TestRedis;
  let t: TestDb;
  let infra: Infrastructure;
  let app: FastifyInstance;
  const tokens = { admin: '', adminReadOnly: '', platform: '' };

  beforeAll(async () => {
    redis = await startTestRedis();
    t = await openTestDb(backend);
    const config = loadConfig({ ...process.env, QUEUE_PREFIX: redis.prefix(), LOG_LEVEL: 'silent' });
    infra = await openInfrastructure(config, createLogger('silent'), { db: t.db, redisUrl: redis.url });
    app = await buildApp({ infra });
    const principals = new PrincipalService(t.db);
    await principals.ensurePrincipal('bank-admin', 'machine', ['admin']);
    await principals.ensurePrincipal('platform-1', 'machine', ['platform']);
    tokens.admin = (await principals.createToken('bank-admin', ['banks:write'])).token;
    tokens.adminReadOnly = (await principals.createToken('bank-admin', ['read'])).token;
    tokens.platform = (await principals.createToken('platform-1', ['items:write', 'read', 'banks:write'])).token;
  });
  afterAll(async () => {
    await app?.close();
    await infra?.close();
    await t?.drop();
    await redis?.stop();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, token: string | null = tokens.admin, contentType?: string) =>
    app.inject({
      method,
      url,
      headers: { ...(token && { authorization: `Bearer ${token}` }), ...(contentType && { 'content-type': contentType }) },
      ...(payload !== undefined && { payload: payload as string }),
    });

  it('is for admins only: 401 without a token, 403 for a platform token, 403 for writes without banks:write', async () => {
    expect((await call('GET', '/v1/banks', undefined, null)).statusCode).toBe(401);
    expect((await call('POST', '/v1/banks', { name: 'x', label: 'spam', action: 'review' }, null)).statusCode).toBe(401);
    const platform = await call('GET', '/v1/banks', undefined, tokens.platform);
    expect(platform.statusCode).toBe(403);
    expect(platform.json()).toMatchObject({ code: 'forbidden' });
    expect((await call('POST', '/v1/banks/lookup', { hash: randomHex() }, tokens.platform)).statusCode).toBe(403);
    expect((await call('GET', '/v1/banks', undefined, tokens.adminReadOnly)).statusCode).toBe(200);
    expect((await call('POST', '/v1/banks', { name: 'x', label: 'spam', action: 'review' }, tokens.adminReadOnly)).statusCode).toBe(403);
  });

  it('creates a bank, adds entries, lists them, and refuses a second bank of the same name', async () => {
    const created = await call('POST', '/v1/banks', { name: 'te-terror', label: 'extremism', action: 'takedown', description: 'ThreatExchange terror list' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ bank: 'te-terror', kind: 'block', enabled: true, entries: 0, created_by: 'admin:bank-admin' });
    expect((await call('POST', '/v1/banks', { name: 'te-terror', label: 'extremism', action: 'takedown' })).statusCode).toBe(409);
    expect((await call('POST', '/v1/banks', { name: 'Bad Name!', label: 'x', action: 'takedown' })).statusCode).toBe(400);

    const [a, b] = [randomHex(), randomHex()];
    const added = await call('POST', '/v1/banks/te-terror/entries', { entries: [{ hash: a, note: 'n1', source_id: 'te:1' }, { hash: b }, { hash: a }] });
    expect(added.statusCode).toBe(200);
    expect(added.json()).toMatchObject({ added: 2, duplicates: 1 });
    const entries = await call('GET', '/v1/banks/te-terror/entries?limit=1');
    expect(entries.json()).toMatchObject({ entries: [{ hash: a, note: 'n1', source_id: 'te:1', added_by: 'admin:bank-admin' }], next_after: expect.any(Number) });
    expect((await call('GET', '/v1/banks')).json().banks).toEqual([expect.objectContaining({ bank: 'te-terror', entries: 2 })]);
    expect((await call('GET', '/v1/banks/nope')).statusCode).toBe(404);
  });

  it('rejects bad hashes and bad CSV lines with 400, naming each entry index and line number, adding nothing', async () => {
    await call('POST', '/v1/banks', { name: 'strict', label: 'csam', action: 'takedown' });
    const bad = await call('POST', '/v1/banks/strict/entries', { entries: [{ hash: randomHex() }, { hash: 'abc' }, { hash: randomHex(), extra: 1 }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'invalid_entries', details: [{ index: 1 }, { index: 2 }] });
    const csv = `hash,label,note\n${randomHex()},csam,fine\nnot-a-hash\n${randomHex()},extremism,other bank\n"${randomHex()}\n`;
    const rejected = await call('POST', '/v1/banks/strict/import', csv, tokens.admin, 'text/csv');
    expect(rejected.statusCode).toBe(400);
    expect(rejected.json()).toMatchObject({ code: 'invalid_hash_list' });
    expect((rejected.json() as { details: { line: number; message: string }[] }).details.map((d) => d.line)).toEqual([3, 4, 5]);
    expect((await call('GET', '/v1/banks/strict')).json()).toMatchObject({ entries: 0 });
    expect((await call('POST', '/v1/banks/nope/import', { csv: randomHex() })).statusCode).toBe(404);
  });

  it('imports a hash list as text/csv or JSON, then looks up an image variant, a hash and a URL', async () => {
    await call('POST', '/v1/banks', { name: 'known', label: 'csam', action: 'takedown' });
    const picture = await texturedJpeg(77);
    const pictureHash = hash256ToHex((await pdqHashImage(picture)).hash);
    const imported = await call('POST', '/v1/banks/known/import', `# export 2026-11-23\n${pictureHash},csam,"seen twice, blurred",te:77\n${randomHex()}\n`, tokens.admin, 'text/csv');
    expect(imported.statusCode).toBe(200);
    expect(imported.json()).toMatchObject({ bank: 'known', added: 2, duplicates: 0 });
    expect((await call('POST', '/v1/banks/known/import', { csv: `${pictureHash}\n` })).json()).toMatchObject({ added: 0, duplicates: 1 });

    const variant = await resizedVariant(picture);
    const byImage = await call('POST', '/v1/banks/lookup', { image: variant.toString('base64') }, tokens.adminReadOnly);
    expect(byImage.statusCode).toBe(200);
    const body = byImage.json() as { quality: number; matches: { bank: string; distance: number; entry: { source_id?: string } }[] };
    expect(body.quality).toBeGreaterThanOrEqual(50);
    expect(body.matches).toEqual([expect.objectContaining({ bank: 'known', label: 'csam', variant: 'original', entry: { hash: pictureHash, note: 'seen twice, blurred', source_id: 'te:77' } })]);
    expect(body.matches[0]?.distance).toBeGreaterThan(0);
    expect(body.matches[0]?.distance).toBeLessThanOrEqual(31);

    expect((await call('POST', '/v1/banks/lookup', { hash: pictureHash })).json()).toMatchObject({ matches: [{ bank: 'known', distance: 0 }] });
    const loopback = await call('POST', '/v1/banks/lookup', { url: 'http://127.0.0.1:9/x.jpg' });
    expect(loopback.statusCode).toBe(422);
    expect(loopback.json().message).toMatch(/loopback.*\[blocked_address\]/);
    const corrupt = await call('POST', '/v1/banks/lookup', { image: picture.subarray(0, 2000).toString('base64') });
    expect(corrupt.statusCode).toBe(422);
    expect(corrupt.json()).toMatchObject({ code: 'bad_image' });
    expect((await call('POST', '/v1/banks/lookup', { hash: pictureHash, url: 'http://example.com/a.jpg' })).statusCode).toBe(400);

    // Removing the entry, or disabling the bank, ends the match at once.
    expect((await call('POST', '/v1/banks/known/entries/remove', { hashes: [pictureHash] })).json()).toMatchObject({ removed: 1 });
    expect((await call('POST', '/v1/banks/lookup', { hash: pictureHash })).json()).toMatchObject({ matches: [] });
    await call('POST', '/v1/banks/known/entries', { entries: [{ hash: pictureHash }] });
    expect((await call('PATCH', '/v1/banks/known', { enabled: false })).json()).toMatchObject({ enabled: false });
    expect((await call('POST', '/v1/banks/lookup', { hash: pictureHash })).json()).toMatchObject({ matches: [] });
  });
});
