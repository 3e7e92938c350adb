import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewedLabels, type ExportStats } from '../../shared/review/label-export.js';
import { eventually } from '../support/eventually.js';
import { BORDERLINE_TEXT, post } from '../support/items.js';
import { backends, openTestDb, type TestDb } from '../support/test-db.js';
import { startTestPipeline, type TestPipeline } from '../support/test-pipeline.js';
import { startTestRedis, type TestRedis } from '../support/test-redis.js';
import { createUser } from './review-fixture.js';
import { signIn } from './review-app.js';

describe.each(backends())('review decisions through the real pipeline on %s', (backend) => {
  let redis: TestRedis;
  let t: TestDb;
  let p: TestPipeline;
  let cookie: string;

  beforeAll(async () => {
    redis = await startTestRedis();
    t = await openTestDb(backend);
    p = await startTestPipeline({ db: t.db, redisUrl: redis.url, prefix: redis.prefix(), env: { SESSION_SECRET: 'pipeline-test-secret-pipeline-test-secret', TEXT_MODEL: 'none' } });
    await createUser(t.db, 'mia', ['moderator']);
    cookie = await signIn(p.app, 'mia');
  });
  afterAll(async () => {
    await p?.stop();
    await t?.drop();
    await redis?.stop();
  });

  const api = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    p.app.inject({ method, url, headers: { cookie, 'x-modpipe-console': '1' }, ...(method === 'POST' ? { payload: payload ?? {} } : {}) });
  const search = async (q: string) => ((await p.app.inject({ method: 'GET', url: `/search?q=${encodeURIComponent(q)}` })).json() as { results: { id: string }[] }).results.map((r) => r.id);
  const eventTypes = async (id: string) => (await t.db.query<{ type: string }>('SELECT type FROM events WHERE subject_id = $1 ORDER BY seq', [id])).rows.map((r) => r.type);
  const borderline = async (word: string) => {
    const item = post({ text: `${BORDERLINE_TEXT} ${word}`, channel_id: `chan-${word}`, language: 'ru' });
    expect((await p.app.inject({ method: 'POST', url: '/v1/items', headers: { authorization: `Bearer ${p.platformToken}` }, payload: { items: [item] } })).statusCode).toBe(202);
    await eventually(async () => (await eventTypes(item.id!)).includes('review_opened'), 20_000, 'review case');
    return item.id!;
  };

  it('takes a reviewed item down, and a reversal brings it back to search as its own event', async () => {
    const word = `rev${randomUUID().slice(0, 6)}`;
    const id = await borderline(word);
    expect(await search(word)).toContain(id);

    const claimed = await api('POST', '/v1/review/claim', { language: 'ru' });
    expect(claimed.statusCode).toBe(200);
    const c = claimed.json().case;
    expect(c.status).toMatchObject({ subject_id: id, claimed_by: 'mia', review_category: 'illegal_goods' });
    expect(c.classification).toMatchObject({ verdict: 'review', category: 'illegal_goods' });
    expect(c.item).toMatchObject({ id, channel_id: `chan-${word}` });

    const decided = await api('POST', `/v1/review/cases/${id}/decision`, { decision: 'takedown', reason: 'illegal_goods.drugs', note: 'dead-drop ad' });
    expect(decided.statusCode).toBe(200);
    await eventually(async () => (await eventTypes(id)).includes('takedown'), 20_000, 'takedown applied');
    expect(await search(word)).not.toContain(id);

    const reversed = await api('POST', `/v1/review/cases/${id}/reverse`, { reason: 'reverse.appeal_upheld', note: 'pharmacy delivery, not drugs' });
    expect(reversed.statusCode).toBe(200);
    await eventually(async () => (await eventTypes(id)).includes('restore'), 20_000, 'restore applied');
    expect(await search(word)).toContain(id);
    expect(await eventTypes(id)).toEqual(['ingested', 'classified', 'review_opened', 'reviewed', 'takedown', 'reviewed', 'restore']);
    const effects = await t.db.query<{ type: string; payload: { decided_by: string } }>(`SELECT type, payload FROM events WHERE subject_id = $1 AND type IN ('takedown', 'restore') ORDER BY seq`, [id]);
    expect(effects.rows.map((r) => r.payload.decided_by)).toEqual(['moderator:mia', 'moderator:mia']);
    const again = await api('POST', `/v1/review/cases/${id}/reverse`, { reason: 'reverse.mistake' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'nothing_to_reverse' });
  });

  it('joins a new borderline verdict to the open case and raises its priority', async () => {
    const word = `join${randomUUID().slice(0, 6)}`;
    const id = await borderline(word);
    const priority = async () => Number((await t.db.query<{ priority: number }>('SELECT priority FROM subject_status WHERE subject_id = $1', [id])).rows[0]!.priority);
    const first = await priority();
    const item = (await t.db.query<Record<string, unknown>>('SELECT * FROM items WHERE id = $1', [id])).rows[0]!;
    // A forced rescan classifies the same content again: borderline again.
    await p.infra.classifyQueue.queue.add('rescan', {
      item: { id, kind: 'post', channel_id: item.channel_id, text: item.text, language: 'ru', reach: { subscribers: 1200, views: 340 } },
      source: 'rescan', trace: 'join-test', ingested_at: new Date().toISOString(), force: true,
    });
    await eventually(async () => (await eventTypes(id)).filter((e) => e === 'review_opened').length === 2, 20_000, 'second verdict joined');
    expect(await priority()).toBeGreaterThan(first);
    const joined = await t.db.query<{ payload: { joined: boolean } }>(`SELECT payload FROM events WHERE subject_id = $1 AND type = 'review_opened' ORDER BY seq DESC LIMIT 1`, [id]);
    expect(joined.rows[0]!.payload.joined).toBe(true);
    expect((await t.db.query(`SELECT 1 FROM subject_status WHERE subject_id = $1 AND review_state = 'open'`, [id])).rows).toHaveLength(1);
  });

  it('exports reviewed items with their final decisions in the trainer format', async () => {
    const word = `exp${randomUUID().slice(0, 6)}`;
    const down = await borderline(`${word}a`);
    const kept = await borderline(`${word}b`);
    expect((await api('POST', `/v1/review/cases/${down}/decision`, { decision: 'takedown', reason: 'illegal_goods.drugs' })).statusCode).toBe(200);
    expect((await api('POST', `/v1/review/cases/${kept}/decision`, { decision: 'keep', reason: 'keep.news_or_research' })).statusCode).toBe(200);
    const stats: ExportStats = { written: 0, skipped: {} };
    const records = [];
    for await (const r of reviewedLabels(t.db, stats, 2)) records.push(r);
    const byId = new Map(records.map((r) => [r.id, r]));
    expect(byId.get(down)).toMatchObject({ labels: ['illegal_goods'], lang: 'ru', text: expect.stringContaining(word) });
    expect(byId.get(kept)).toMatchObject({ labels: [], lang: 'ru' });
    expect(stats.written).toBe(records.length);
  });
});
