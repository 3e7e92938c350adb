import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSchema } from '../../shared/items/item-schema.js';
import { loadConfig } from '../../shared/config.js';
import { createLogger } from '../../shared/logger.js';
import { openInfrastructure, type Infrastructure } from '../../shared/wiring/infrastructure.js';
import { eventually } from '../support/eventually.js';
import { PHISHING_TEXT, post } from '../support/items.js';
import { openTestDb, postgresUrl, type TestDb } from '../support/test-db.js';
import { startTestRedis, type TestRedis } from '../support/test-redis.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

// Worker processes share the record, so these tests need a real Postgres (CI provides one).
describe.skipIf(!postgresUrl())('worker processes on one Redis and Postgres', () => {
  let redis: TestRedis;
  let t: TestDb;
  let infra: Infrastructure;
  let env: Record<string, string>;
  const children: WorkerProcess[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    t = await openTestDb('postgres');
    const prefix = redis.prefix();
    env = { DATABASE_URL: t.url!, REDIS_URL: redis.url, QUEUE_PREFIX: prefix, LOCK_DURATION_MS: '2000', TEXT_MODEL: 'none', IMAGE_MODEL: 'none', CLASSIFY_CONCURRENCY: '16', BATCH_SIZE: '8' };
    const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
    infra = await openInfrastructure(config, createLogger('silent'), { db: t.db, redisUrl: redis.url });
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await infra?.close();
    await t?.drop();
    await redis?.stop();
  });

  async function push(n: number, tag: string) {
    const items = Array.from({ length: n }, (_, i) => itemSchema.parse(post({ id: `${tag}-${i}`, text: i % 5 === 0 ? `${PHISHING_TEXT} ${tag} ${i}` : `Ordinary post ${tag} ${i}` })));
    await infra.postgresIndex!.upsert(items);
    const now = new Date().toISOString();
    await infra.classifyQueue.add(items.map((item) => ({ item, source: 'push' as const, trace: `${tag}/${item.id}`, ingested_at: now, force: false })));
    return items;
  }
  const count = async (sql: string, params: unknown[]) => Number((await t.db.query<{ n: number }>(sql, params)).rows[0]!.n);

  it('loses no item when a classify worker is killed with SIGKILL mid-job, and applies each effect once', async () => {
    const takedown = await startWorkerProcess('takedown', env);
    const doomed = await startWorkerProcess('classify', env);
    children.push(takedown, doomed);
    const items = await push(600, 'kill');
    // Kill it while it holds jobs: they stay locked until the lock expires, then return to the queue.
    await eventually(async () => (await infra.classifyQueue.queue.getActiveCount()) > 0 || undefined, 30_000, 'active jobs');
    doomed.kill('SIGKILL');
    expect(await doomed.exited).toBe('SIGKILL');
    const before = await count(`SELECT count(*) AS n FROM subject_status WHERE subject_id LIKE 'kill-%' AND last_verdict IS NOT NULL`, []);
    expect(before).toBeLessThan(items.length);

    const survivor = await startWorkerProcess('classify', env);
    children.push(survivor);
    await eventually(
      async () => (await count(`SELECT count(*) AS n FROM subject_status WHERE subject_id LIKE 'kill-%' AND last_verdict IS NOT NULL`, [])) === items.length,
      90_000,
      'every item classified',
    );
    const violating = items.filter((_, i) => i % 5 === 0).length;
    await eventually(async () => (await count(`SELECT count(*) AS n FROM events WHERE type = 'takedown' AND subject_id LIKE 'kill-%'`, [])) >= violating, 60_000, 'takedowns');
    // Exactly once in effect: one classification and at most one takedown per subject.
    expect(await count(`SELECT count(*) AS n FROM (SELECT subject_id FROM events WHERE type = 'classified' AND subject_id LIKE 'kill-%' GROUP BY 1 HAVING count(*) > 1) d`, [])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM (SELECT subject_id FROM events WHERE type = 'takedown' AND subject_id LIKE 'kill-%' GROUP BY 1 HAVING count(*) > 1) d`, [])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM events WHERE type = 'takedown' AND subject_id LIKE 'kill-%'`, [])).toBe(violating);
    expect(await infra.classifyQueue.queue.getFailedCount()).toBe(0);
    survivor.kill('SIGTERM');
    takedown.kill('SIGTERM');
    expect(await survivor.exited).toBe(0);
    expect(await takedown.exited).toBe(0);
  });

  it('drains on SIGTERM: in-flight jobs finish, nothing is left locked, the process exits 0', async () => {
    const worker = await startWorkerProcess('classify', env);
    children.push(worker);
    const items = await push(400, 'drain');
    await eventually(async () => (await infra.classifyQueue.queue.getActiveCount()) > 0 || undefined, 30_000, 'active jobs');
    const t0 = Date.now();
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(worker.output()).toContain('stopped cleanly');
    // Nothing stays active waiting for a lock to expire: the worker finished what it had taken.
    expect(await infra.classifyQueue.queue.getActiveCount()).toBe(0);
    const done = await count(`SELECT count(*) AS n FROM subject_status WHERE subject_id LIKE 'drain-%' AND last_verdict IS NOT NULL`, []);
    const completed = await infra.classifyQueue.queue.getCompletedCount();
    expect(done).toBeGreaterThan(0);
    expect(completed).toBeGreaterThanOrEqual(done);
    expect(done).toBeLessThanOrEqual(items.length);
  });
});
