import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxAction } from '../../shared/store/event-types.js';
import { OutboxPoller } from '../../workers/takedown/outbox-poller.js';
import { applyActions } from '../../workers/takedown/apply-action.js';
import { eventually } from '../support/eventually.js';
import { BENIGN_TEXT, BORDERLINE_TEXT, PHISHING_TEXT, post } from '../support/items.js';
import { backends, openTestDb, type TestDb } from '../support/test-db.js';
import { startTestPipeline, type TestPipeline } from '../support/test-pipeline.js';
import { startTestRedis, type TestRedis } from '../support/test-redis.js';

describe.each(backends())('the pipeline on a real Redis and %s', (backend) => {
  let redis: TestRedis;
  let t: TestDb;
  let p: TestPipeline;

  beforeAll(async () => {
    redis = await startTestRedis();
    t = await openTestDb(backend);
    p = await startTestPipeline({ db: t.db, redisUrl: redis.url, prefix: redis.prefix() });
  });
  afterAll(async () => {
    await p?.stop();
    await t?.drop();
    await redis?.stop();
  });

  const push = (items: unknown[], token = p.platformToken) =>
    p.app.inject({ method: 'POST', url: '/v1/items', headers: { authorization: `Bearer ${token}` }, payload: { items } });
  const search = async (q: string, country?: string) => {
    const res = await p.app.inject({ method: 'GET', url: `/search?q=${encodeURIComponent(q)}${country ? `&country=${country}` : ''}` });
    return (res.json() as { results: { id: string }[] }).results.map((r) => r.id);
  };
  const eventTypes = async (id: string) =>
    (await t.db.query<{ type: string }>('SELECT type FROM events WHERE subject_id = $1 ORDER BY seq', [id])).rows.map((r) => r.type);
  const status = async (id: string) => (await t.db.query<Record<string, unknown>>('SELECT * FROM subject_status WHERE subject_id = $1', [id])).rows[0];

  it('takes a violating pushed item down end to end and it vanishes from search', async () => {
    const bad = post({ text: `${PHISHING_TEXT} giveaway-${randomUUID().slice(0, 6)}` });
    const fine = post({ text: `Giveaway results of our bakery channel are posted tomorrow ${randomUUID().slice(0, 6)}` });
    const res = await push([bad, fine]);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 2 });
    expect(await search('giveaway')).toEqual(expect.arrayContaining([bad.id, fine.id]));

    await eventually(async () => (await eventTypes(bad.id!)).includes('takedown'), 20_000, 'takedown event');
    expect(await eventTypes(bad.id!)).toEqual(['ingested', 'classified', 'takedown']);
    const classified = (await t.db.query<{ payload: { verdict: string; category: string; model_version: string } }>(
      `SELECT payload FROM events WHERE subject_id = $1 AND type = 'classified'`, [bad.id])).rows[0]!.payload;
    expect(classified).toMatchObject({ verdict: 'takedown', category: 'scam', model_version: p.classifier.modelVersion });
    expect(await search('giveaway')).not.toContain(bad.id);
    expect(await search('giveaway')).toContain(fine.id);
    const page = await p.app.inject({ method: 'GET', url: '/search?q=giveaway', headers: { accept: 'text/html' } });
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain(fine.id);
    expect(page.body).not.toContain(bad.id);
    await eventually(async () => (await status(fine.id!))?.last_verdict === 'allow', 10_000, 'benign verdict');
    expect(await eventTypes(fine.id!)).toEqual(['ingested', 'classified']);
  });

  it('sends a borderline item to review and leaves it searchable', async () => {
    const item = post({ text: `${BORDERLINE_TEXT} ${randomUUID().slice(0, 6)}` });
    expect((await push([item])).statusCode).toBe(202);
    await eventually(async () => (await eventTypes(item.id!)).includes('review_opened'), 20_000, 'review case');
    expect(await status(item.id!)).toMatchObject({ review_state: 'open', last_verdict: 'review', last_category: 'illegal_goods' });
    expect(await search('закладки')).toContain(item.id);
  });

  it('skips content already classified by the current model', async () => {
    const item = post({ text: `${BENIGN_TEXT} ${randomUUID().slice(0, 6)}` });
    await push([item]);
    await eventually(async () => (await eventTypes(item.id!)).includes('classified'));
    const job = await p.infra.classifyQueue.queue.add('sweep', { item, source: 'sweep', trace: 'again', ingested_at: new Date().toISOString() });
    await eventually(async () => (await job.isCompleted()) || undefined);
    expect((await p.infra.classifyQueue.queue.getJob(job.id!))?.returnvalue).toMatchObject({ skipped: true });
    expect(await eventTypes(item.id!)).toEqual(['ingested', 'classified']);
  });

  it('applies a takedown idempotently: the same effect twice is recorded once', async () => {
    const item = post({ text: `Jurisdiction test ${randomUUID().slice(0, 6)}` });
    await push([item]);
    await eventually(async () => (await status(item.id!))?.last_verdict);
    const action = (): OutboxAction => ({
      id: randomUUID(), subject_id: item.id!, action: 'delist', scope: { jurisdictions: ['DE'] }, category: 'hate',
      reason: 'authority order 12', actor: 'authority:de-bnetza', decided_at: new Date().toISOString(),
    });
    const first = action();
    await p.infra.takedownQueue.add([first]);
    await p.infra.takedownQueue.add([first]); // a duplicate delivery of the same decision
    await p.infra.takedownQueue.add([action()]); // a second decision with the same effect
    await eventually(async () => (await t.db.query('SELECT 1 FROM outbox WHERE subject_id = $1 AND done_at IS NOT NULL', [item.id])).rows.length === 2, 20_000, 'both actions done');
    expect((await eventTypes(item.id!)).filter((e) => e === 'takedown')).toHaveLength(1);
    expect(await search('jurisdiction', 'DE')).not.toContain(item.id);
    expect(await search('jurisdiction', 'FR')).toContain(item.id);
    expect(await search('jurisdiction')).toContain(item.id);

    // Restoring is an action too, and brings the item back where it was delisted.
    await p.infra.takedownQueue.add([{ ...action(), action: 'restore', reason: 'appeal upheld', actor: 'moderator:m1' }]);
    await eventually(async () => (await eventTypes(item.id!)).includes('restore'), 20_000, 'restore event');
    expect(await search('jurisdiction', 'DE')).toContain(item.id);
    expect(await status(item.id!)).toMatchObject({ takedown_jurisdictions: [], takedown_global: false });
  });

  it('applies a batch holding the same decision twice and a duplicate decision as one effect', async () => {
    const item = post({ text: `Batch duplicate ${randomUUID().slice(0, 6)}` });
    await p.infra.postgresIndex!.upsert([{ ...item, media: [], jurisdictions: [], reach: {}, text: item.text! } as never]);
    const decision = (): OutboxAction => ({
      id: randomUUID(), subject_id: item.id!, action: 'delist', scope: { global: true }, category: 'spam', reason: 'r',
      actor: 'moderator:m1', decided_at: new Date().toISOString(),
    });
    const a = decision();
    const b = decision();
    const out = await applyActions({ db: t.db, store: p.infra.store, index: p.infra.index }, [a, a, b]);
    expect(out.map((o) => o.result)).toEqual(['applied', 'applied', 'noop']);
    expect(await eventTypes(item.id!)).toEqual(['takedown']);
    const again = await applyActions({ db: t.db, store: p.infra.store, index: p.infra.index }, [a, b]);
    expect(again.map((o) => o.result)).toEqual(['already-done', 'already-done']);
    expect((await t.db.query('SELECT 1 FROM outbox WHERE id = ANY($1::text[]) AND done_at IS NOT NULL', [[a.id, b.id]])).rows).toHaveLength(2);
  });

  it('recovers a decision committed but never queued (crash between commit and enqueue)', async () => {
    const item = post({ text: `Outbox recovery ${randomUUID().slice(0, 6)}` });
    await p.infra.postgresIndex!.upsert([{ ...item, media: [], jurisdictions: [], reach: {}, text: item.text! } as never]);
    const decision: OutboxAction = {
      id: randomUUID(), subject_id: item.id!, action: 'delist', scope: { global: true }, category: 'scam', reason: 'decided before the crash',
      actor: 'system:classifier@test', decided_at: new Date().toISOString(),
    };
    // The decision and its outbox row commit; the process "dies" before queueing it.
    await p.infra.store.write([{ subjects: [{ id: item.id! }], plan: () => ({ events: [{ subject_id: item.id!, type: 'classified', actor: 'system:classifier@test', payload: { verdict: 'takedown' } }], outbox: [decision] }) }]);
    expect(await search('outbox recovery')).toContain(item.id);
    const poller = new OutboxPoller({ db: t.db, dispatcher: p.infra.dispatcher, logger: p.infra.logger, intervalMs: 1_000, graceMs: 0 });
    expect(await poller.runOnce()).toBeGreaterThanOrEqual(1);
    await eventually(async () => (await eventTypes(item.id!)).includes('takedown'), 20_000, 'recovered takedown');
    expect(await search('outbox recovery')).not.toContain(item.id);
  });

  it('fails malformed items with a readable reason while the rest flows on', async () => {
    const good = post({ text: `${BENIGN_TEXT}, still flowing ${randomUUID().slice(0, 6)}` });
    const q = p.infra.classifyQueue.queue;
    const now = new Date().toISOString();
    const bad = await q.add('feed', { item: { id: 'bad item!', kind: 'post', text: 5 }, source: 'feed', trace: 't1', ingested_at: now });
    const huge = await q.add('feed', { item: post({ text: 'x'.repeat(40_000) }), source: 'feed', trace: 't2', ingested_at: now });
    const notJson = await q.add('feed', { item: { __unparsed: '{"id": broken' }, source: 'feed', trace: 't3', ingested_at: now });
    await q.add('feed', { item: good, source: 'feed', trace: 't4', ingested_at: now });
    await eventually(async () => (await status(good.id!))?.last_verdict === 'allow', 20_000, 'good item classified');
    for (const job of [bad, huge, notJson]) {
      await eventually(async () => (await job.isFailed()) || undefined, 10_000, `job ${job.id} failed`);
      const failed = await q.getJob(job.id!);
      expect(failed?.attemptsMade).toBe(1); // unrecoverable: no retries
      expect(failed?.failedReason).toMatch(/^malformed item/);
    }
    expect((await q.getJob(bad.id!))?.failedReason).toMatch(/id: ids use letters/);
    expect((await q.getJob(huge.id!))?.failedReason).toMatch(/text is limited to 32768 characters/);
  });

  it('refuses a push with a bad token, a wrong scope, or malformed items, accepting nothing', async () => {
    expect((await push([post()], 'mp_not-a-real-token')).statusCode).toBe(401);
    const noAuth = await p.app.inject({ method: 'POST', url: '/v1/items', payload: { items: [post()] } });
    expect(noAuth.statusCode).toBe(401);
    expect(noAuth.json()).toMatchObject({ code: 'unauthenticated' });
    const res = await push([post(), { id: 'x', kind: 'nope' }]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_items', details: [{ index: 1, id: 'x' }] });
    const unknown = await p.app.inject({ method: 'GET', url: '/v1/no-such-route' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'not_found' });
    const empty = await push([]);
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ code: 'bad_request' });
  });
});
