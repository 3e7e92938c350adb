import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infrastructureChecks, startOpsServer } from '../../shared/wiring/ops-server.js';
import { eventually } from '../support/eventually.js';
import { BORDERLINE_TEXT, PHISHING_TEXT, post } from '../support/items.js';
import { openTestDb, type TestDb } from '../support/test-db.js';
import { startTestPipeline, type TestPipeline } from '../support/test-pipeline.js';
import { startTestRedis, type TestRedis } from '../support/test-redis.js';
import { bearer, tokenFor } from '../support/tokens.js';

/** The value of one series in Prometheus text format, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('ops surface', () => {
  let redis: TestRedis;
  let t: TestDb;
  let p: TestPipeline;
  let ops: string;
  let moderator: string;

  beforeAll(async () => {
    redis = await startTestRedis();
    t = await openTestDb('pglite');
    p = await startTestPipeline({ db: t.db, redisUrl: redis.url, prefix: redis.prefix(), env: { TEXT_MODEL: 'none', IMAGE_MODEL: 'none' } });
    ops = await tokenFor(t.db, ['ops'], ['read']);
    moderator = await tokenFor(t.db, ['moderator'], ['read']);
  });
  afterAll(async () => {
    await p?.stop();
    await t?.drop();
    await redis?.stop();
  });

  it('/metrics exposes queues, job counts, latencies, inference, effects, review backlog and process metrics after a run', async () => {
    const bad = post({ text: `${PHISHING_TEXT} ${randomUUID().slice(0, 6)}` });
    const borderline = post({ text: `${BORDERLINE_TEXT} ${randomUUID().slice(0, 6)}` });
    const fine = post();
    const push = await p.app.inject({ method: 'POST', url: '/v1/items', headers: bearer(p.platformToken), payload: { items: [bad, borderline, fine] } });
    expect(push.statusCode).toBe(202);
    await p.infra.classifyQueue.queue.add('feed', { item: { id: 'broken item' }, source: 'feed', trace: 'x', ingested_at: new Date().toISOString() });
    await eventually(async () => (await t.db.query(`SELECT 1 FROM events WHERE subject_id = $1 AND type = 'takedown'`, [bad.id])).rows.length === 1, 20_000, 'takedown');
    await eventually(async () => (await p.infra.classifyQueue.queue.getFailedCount()) === 1, 10_000, 'failed job');

    const scrape = async () => {
      const res = await p.app.inject({ method: 'GET', url: '/metrics', headers: bearer(ops) });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      return res.body;
    };
    // The takedown worker's completed event fires just after the job's effect is recorded.
    const text = await eventually(async () => {
      const body = await scrape();
      return (sample(body, 'modpipe_takedown_effects_total', { action: 'delist', category: 'scam', jurisdiction: 'global' }) ?? 0) >= 1 ? body : undefined;
    }, 5_000, 'the takedown counted');

    // The three pushed items travel as one batch job.
    expect(sample(text, 'modpipe_queue_jobs', { queue: 'classify', state: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'modpipe_queue_jobs', { queue: 'classify', state: 'failed' })).toBe(1);
    expect(sample(text, 'modpipe_queue_jobs', { queue: 'takedown', state: 'waiting' })).toBe(0);
    expect(sample(text, 'modpipe_jobs_completed_total', { queue: 'classify' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'modpipe_jobs_completed_total', { queue: 'takedown' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'modpipe_jobs_failed_total', { queue: 'classify', final: 'true' })).toBe(1);
    expect(sample(text, 'modpipe_ingest_to_verdict_seconds_count', { source: 'push', verdict: 'takedown' })).toBe(1);
    expect(sample(text, 'modpipe_ingest_to_verdict_seconds_count', { source: 'push', verdict: 'allow' })).toBe(1);
    expect(sample(text, 'modpipe_ingest_to_verdict_seconds_sum', { source: 'push', verdict: 'review' })).toBeGreaterThan(0);
    expect(sample(text, 'modpipe_verdict_to_takedown_seconds_count', { action: 'delist' })).toBe(1);
    expect(sample(text, 'modpipe_ingest_to_takedown_seconds_count', { action: 'delist' })).toBe(1);
    expect(sample(text, 'modpipe_inference_batch_size_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'modpipe_inference_batch_size_sum')).toBe(3);
    expect(sample(text, 'modpipe_inference_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'modpipe_review_backlog', { state: 'open' })).toBe(1);
    expect(sample(text, 'modpipe_review_oldest_age_seconds', { state: 'open' })).toBeGreaterThan(0);
    expect(sample(text, 'modpipe_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'modpipe_nodejs_eventloop_lag_seconds')).toBeDefined();
  });

  it('/metrics is for ops: a moderator is refused, and without a token it is 401', async () => {
    expect((await p.app.inject({ method: 'GET', url: '/metrics', headers: bearer(moderator) })).statusCode).toBe(403);
    expect((await p.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
  });

  it('bull-board answers for ops and admin and refuses a moderator', async () => {
    const admin = await tokenFor(t.db, ['admin'], []);
    for (const token of [ops, admin]) {
      const page = await p.app.inject({ method: 'GET', url: '/admin/queues', headers: bearer(token) });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/html/);
      const api = await p.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: bearer(token) });
      expect(api.statusCode).toBe(200);
      expect((api.json() as { queues: { name: string }[] }).queues.map((q) => q.name).sort()).toEqual(['classify', 'ingest', 'takedown']);
    }
    for (const url of ['/admin/queues', '/admin/queues/api/queues']) {
      const refused = await p.app.inject({ method: 'GET', url, headers: bearer(moderator) });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'forbidden' });
      expect((await p.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    }
  });

  it('a worker process\'s own server answers health, readiness and metrics', async () => {
    let modelLoaded = true;
    const server = await startOpsServer({
      host: '127.0.0.1', port: 0, registry: p.infra.metrics.registry, logger: p.infra.logger,
      checks: [...infrastructureChecks(p.infra), { name: 'model', check: async () => { if (!modelLoaded) throw new Error('no classifier loaded'); } }],
    });
    try {
      expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true });
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { checks: { name: string }[] }).checks.map((c) => c.name)).toEqual(['store', 'redis', 'model']);
      modelLoaded = false;
      const notReady = await fetch(`${server.url}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toMatchObject({ ok: false, checks: [{ ok: true }, { ok: true }, { name: 'model', ok: false, error: 'no classifier loaded' }] });
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(sample(metrics, 'modpipe_jobs_completed_total', { queue: 'classify' })).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});
