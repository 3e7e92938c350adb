import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSchema, type ItemInput } from '../../shared/items/item-schema.js';
import { PRIORITY } from '../../shared/queues/job-defaults.js';
import { toItemRow } from '../../shared/store/item-rows.js';
import { rescanPageJobId } from '../../workers/ingest/rescan-page.js';
import { eventually } from '../support/eventually.js';
import { PHISHING_TEXT, post } from '../support/items.js';
import { openTestDb, type TestDb } from '../support/test-db.js';
import { startTestPipeline, type TestPipeline } from '../support/test-pipeline.js';
import { startTestRedis, type TestRedis } from '../support/test-redis.js';
import { bearer } from '../support/tokens.js';

interface Progress {
  id: string;
  state: string;
  planned: number;
  queued: number;
  classified: number;
  taken_down: number;
  failed: number;
  pages: number;
}

describe('rescans', () => {
  let redis: TestRedis;
  let t: TestDb;
  let p: TestPipeline;

  beforeAll(async () => {
    redis = await startTestRedis();
    t = await openTestDb('pglite');
    p = await startTestPipeline({ db: t.db, redisUrl: redis.url, prefix: redis.prefix(), env: { TEXT_MODEL: 'none', IMAGE_MODEL: 'none', RESCAN_PAGE_SIZE: '4' } });
  });
  afterAll(async () => {
    await p?.stop();
    await t?.drop();
    await redis?.stop();
  });

  const api = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    p.app.inject({ method, url, headers: bearer(p.platformToken), ...(payload ? { payload } : {}) });
  const start = (body: object) => api('POST', '/v1/rescans', { reason: 'policy update 2026-11', ...body });
  const progress = async (id: string) => (await api('GET', `/v1/rescans/${id}`)).json() as Progress;
  const completed = (id: string) => eventually(async () => {
    const r = await progress(id);
    return r.state === 'completed' ? r : undefined;
  }, 30_000, `rescan ${id} to complete`);
  const classifications = async (id: string) =>
    (await t.db.query<{ rescan_id: string | null; model_version: string }>(
      `SELECT payload->>'rescan_id' AS rescan_id, payload->>'model_version' AS model_version FROM events WHERE subject_id = $1 AND type = 'classified' ORDER BY seq`, [id])).rows;

  async function pushAndWait(items: ItemInput[]): Promise<void> {
    const res = await p.app.inject({ method: 'POST', url: '/v1/items', headers: bearer(p.platformToken), payload: { items } });
    expect(res.statusCode).toBe(202);
    await eventually(async () => {
      const r = await t.db.query('SELECT 1 FROM subject_status WHERE subject_id = ANY($1::text[]) AND last_verdict IS NOT NULL', [items.map((i) => i.id)]);
      return r.rows.length === items.length;
    }, 20_000, 'verdicts');
  }

  /** An item the record knows but no model has classified (e.g. loaded before modpipe ran). */
  async function storeUnclassified(input: ItemInput, events: 'none' | { modelVersion: string } = 'none'): Promise<void> {
    const item = itemSchema.parse(input);
    await p.infra.postgresIndex!.upsert([item]);
    await p.infra.store.write([{
      subjects: [{ id: item.id, channel_id: item.channel_id }],
      items: [toItemRow(item)],
      plan: () => ({
        events: events === 'none' ? [] : [{
          subject_id: item.id, type: 'classified', actor: `system:classifier@${events.modelVersion}`,
          payload: { verdict: 'allow', category: null, scores: {}, model_version: events.modelVersion, content_hash: toItemRow(item).content_hash },
        }],
      }),
    }]);
  }

  it('re-classifies exactly the items of a channel, below live traffic, and reports progress to completion', async () => {
    const channel = `chan-${randomUUID().slice(0, 8)}`;
    const inside = Array.from({ length: 6 }, (_, i) => post({ channel_id: channel, text: `Channel news number ${i}` }));
    const outside = Array.from({ length: 3 }, () => post({ channel_id: `other-${randomUUID().slice(0, 6)}` }));
    await pushAndWait([...inside, ...outside]);
    const neverClassified = post({ channel_id: channel, text: `${PHISHING_TEXT} loaded-early` });
    await storeUnclassified(neverClassified);

    const res = await start({ scope: { channels: [channel] }, priority: 'normal' });
    expect(res.statusCode).toBe(202);
    const created = res.json() as Progress;
    expect(created).toMatchObject({ planned: 7 });
    // The same scope while it runs is answered with the running rescan.
    const again = await start({ scope: { channels: [channel, channel] } });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(created.id);

    const done = await completed(created.id);
    expect(done).toMatchObject({ planned: 7, queued: 7, classified: 7, failed: 0, pages: 2 });
    // Completion means every item has its new verdict; the effect of a takedown verdict follows.
    await eventually(async () => (await progress(created.id)).taken_down === 1, 20_000, 'the takedown counted');
    for (const item of inside) {
      const cls = await classifications(item.id!);
      expect(cls.map((c) => c.rescan_id)).toEqual([null, created.id]); // classified again, by the same model
    }
    expect((await classifications(neverClassified.id!)).map((c) => c.rescan_id)).toEqual([created.id]);
    for (const item of outside) expect(await classifications(item.id!)).toHaveLength(1);

    const jobs = await p.infra.classifyQueue.queue.getJobs(['completed'], 0, 1_000);
    const rescanJobs = jobs.filter((j) => (j.data as { rescan_id?: string }).rescan_id === created.id);
    expect(rescanJobs).toHaveLength(7);
    for (const j of rescanJobs) expect(j.opts.priority).toBeGreaterThan(PRIORITY.live);

    // Finished: the same scope starts a new rescan.
    const next = await start({ scope: { channels: [channel] } });
    expect(next.statusCode).toBe(202);
    expect(next.json().id).not.toBe(created.id);
    await completed(next.json().id);
  });

  it('stops fanning out when cancelled', async () => {
    const channel = `chan-${randomUUID().slice(0, 8)}`;
    await pushAndWait(Array.from({ length: 5 }, () => post({ channel_id: channel })));
    await p.infra.ingestQueue.queue.pause();
    try {
      const created = (await start({ scope: { channels: [channel] } })).json() as Progress;
      const cancelled = await api('DELETE', `/v1/rescans/${created.id}`);
      expect(cancelled.statusCode).toBe(200);
      expect(cancelled.json()).toMatchObject({ state: 'cancelled' });
      await p.infra.ingestQueue.queue.resume();
      await eventually(async () => (await p.infra.ingestQueue.queue.getJob(rescanPageJobId(created.id, null)))?.isCompleted(), 10_000, 'the first page job to run');
      expect(await progress(created.id)).toMatchObject({ state: 'cancelled', queued: 0, classified: 0, pages: 0 });
      // A cancelled rescan does not answer for its scope any more.
      const fresh = await start({ scope: { channels: [channel] } });
      expect(fresh.statusCode).toBe(202);
      expect((await completed(fresh.json().id)).classified).toBe(5);
    } finally {
      await p.infra.ingestQueue.queue.resume();
    }
  });

  it('by model version touches only items last classified by another version', async () => {
    const old = Array.from({ length: 5 }, (_, i) => post({ channel_id: 'chan-archive', text: `Archive entry ${i} ${randomUUID().slice(0, 4)}` }));
    for (const item of old) await storeUnclassified(item, { modelVersion: 'rules@0+text-old@0.9' });
    const current = post({ channel_id: 'chan-archive' });
    await pushAndWait([current]);

    const res = await start({ scope: { model_version: {} } });
    expect(res.statusCode).toBe(202);
    const created = res.json() as Progress & { scope: unknown };
    expect(created.scope).toEqual({ model_version: { not: p.classifier.modelVersion } });
    expect(created.planned).toBe(5);
    expect(await completed(created.id)).toMatchObject({ queued: 5, classified: 5 });
    for (const item of old) {
      expect((await classifications(item.id!)).map((c) => c.model_version)).toEqual(['rules@0+text-old@0.9', p.classifier.modelVersion]);
    }
    expect(await classifications(current.id!)).toHaveLength(1);
    // Nothing is left on another version: the same request now plans nothing and completes at once.
    const empty = (await start({ scope: { model_version: {} } })).json() as Progress;
    expect(empty.planned).toBe(0);
    expect(await completed(empty.id)).toMatchObject({ queued: 0, classified: 0 });
  });

  it('scopes by item ids, a search query and a time range', async () => {
    const word = `zebrafish${randomUUID().slice(0, 6)}`;
    const a = post({ text: `Sighting of a ${word} today` });
    const b = post({ text: `Another ${word} report` });
    const c = post();
    await pushAndWait([a, b, c]);
    const byQuery = (await start({ scope: { query: word } })).json() as Progress;
    expect(byQuery.planned).toBe(2);
    const byIds = (await start({ scope: { items: [c.id, 'not-known'] } })).json() as Progress;
    expect(byIds.planned).toBe(1);
    const future = (await start({ scope: { time_range: { from: '2100-01-01T00:00:00Z', to: '2100-02-01T00:00:00Z' } } })).json() as Progress;
    expect(future.planned).toBe(0);
    expect(await completed(byQuery.id)).toMatchObject({ classified: 2 });
    expect(await completed(byIds.id)).toMatchObject({ classified: 1 });
    expect(await completed(future.id)).toMatchObject({ classified: 0 });
    expect((await api('GET', `/v1/rescans/${randomUUID()}`)).statusCode).toBe(404);
  });
});
