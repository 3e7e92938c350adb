import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSchema, type Item } from '../../shared/items/item-schema.js';
import { loadConfig } from '../../shared/config.js';
import { createLogger } from '../../shared/logger.js';
import { openInfrastructure, type Infrastructure } from '../../shared/wiring/infrastructure.js';
import { eventually } from '../support/eventually.js';
import { PHISHING_TEXT } from '../support/items.js';
import { openTestDb, postgresUrl, type TestDb } from '../support/test-db.js';
import { startTestRedis, type TestRedis } from '../support/test-redis.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const N = 3_000;
const HAVE_POSTGRES = Boolean(postgresUrl());
if (!HAVE_POSTGRES) console.warn('fleet test skipped: worker processes share a Postgres record; set TEST_DATABASE_URL (or DATABASE_URL) to run it');

describe.skipIf(!HAVE_POSTGRES)('a worker fleet: two classify processes and one takedown process on one Redis (needs Postgres)', () => {
  let redis: TestRedis;
  let t: TestDb;
  let infra: Infrastructure;
  let dataDir: string;
  let env: Record<string, string>;
  const procs: WorkerProcess[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    t = await openTestDb('postgres');
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'modpipe-fleet-'));
    env = {
      DATABASE_URL: t.url!, REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix(), DATA_DIR: dataDir, LOCK_DURATION_MS: '2000',
      // Rules only by default (model start-up dominates otherwise); FLEET_WITH_MODELS=1 measures with the models.
      ...(process.env.FLEET_WITH_MODELS ? {} : { TEXT_MODEL: 'none', IMAGE_MODEL: 'none' }),
      CLASSIFY_CONCURRENCY: '16', BATCH_SIZE: '16', WORKER_HTTP_PORT: '0', HOST: '127.0.0.1',
    };
    const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
    infra = await openInfrastructure(config, createLogger('silent'), { db: t.db, redisUrl: redis.url });
  });
  afterAll(async () => {
    for (const p of procs) p.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await infra?.close();
    await t?.drop();
    await redis?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const count = async (sql: string, params: unknown[] = []) => (await t.db.query<{ n: number }>(sql, params)).rows[0]!.n;
  const classified = () => count(`SELECT count(*)::int AS n FROM subject_status WHERE subject_id LIKE 'fleet-%' AND last_verdict IS NOT NULL`);
  const opsUrl = (p: WorkerProcess) => /"ops_url":"([^"]+)"/.exec(p.output())?.[1];

  it('shares the work, survives a SIGKILLed classify process, classifies every item and applies each takedown once', async () => {
    const started = performance.now();
    const [classifyA, classifyB, takedown] = await Promise.all([startWorkerProcess('classify', env), startWorkerProcess('classify', env), startWorkerProcess('takedown', env)]);
    procs.push(classifyA!, classifyB!, takedown!);
    const startupMs = performance.now() - started;
    // Every worker process answers on a port of its own.
    for (const p of procs) {
      const ready = await fetch(`${opsUrl(p)}/readyz`);
      expect(ready.status, p.output()).toBe(200);
    }

    const items: Item[] = Array.from({ length: N }, (_, i) =>
      itemSchema.parse({ id: `fleet-${i}`, kind: 'post', channel_id: `fleet-ch-${i % 50}`, text: i % 10 === 0 ? `${PHISHING_TEXT} #${i}` : `Ordinary post number ${i}` }));
    await infra.postgresIndex!.upsert(items);
    const pushed = performance.now();
    for (let i = 0; i < N; i += 500) {
      const now = new Date().toISOString();
      await infra.classifyQueue.add(items.slice(i, i + 500).map((item) => ({ item, source: 'push' as const, trace: `fleet/${item.id}`, ingested_at: now, force: false })));
    }

    // Kill one classify process mid-run, once it has done some of the work.
    await eventually(async () => classifyA!.output().includes('"msg":"classified"') && (await classified()) >= N / 10, 60_000, 'the first classifications');
    classifyA!.kill('SIGKILL');
    expect(await classifyA!.exited).toBe('SIGKILL');
    const atKill = await classified();
    expect(atKill).toBeLessThan(N);

    // Its jobs come back after the lock expires; the survivor finishes them.
    await eventually(async () => (await classified()) === N, 90_000, `all ${N} items classified`);
    const violating = N / 10;
    await eventually(async () => (await count(`SELECT count(*)::int AS n FROM outbox WHERE done_at IS NULL`)) === 0
      && (await count(`SELECT count(*)::int AS n FROM search_entries WHERE id LIKE 'fleet-%' AND delisted_global`)) === violating, 60_000, 'every takedown applied');
    const elapsedS = (performance.now() - pushed) / 1000;

    // Exactly once in effect: one takedown event per subject, for exactly the violating items.
    expect(await count(`SELECT count(*)::int AS n FROM (SELECT subject_id FROM events WHERE type = 'takedown' GROUP BY subject_id HAVING count(*) > 1) x`)).toBe(0);
    expect(await count(`SELECT count(DISTINCT subject_id)::int AS n FROM events WHERE type = 'takedown'`)).toBe(violating);
    expect(await count(`SELECT count(*)::int AS n FROM subject_status WHERE subject_id LIKE 'fleet-%' AND takedown_global`)).toBe(violating);
    // Both classify processes did part of the work.
    expect(classifyB!.output()).toContain('"msg":"classified"');
    expect(await infra.classifyQueue.queue.getFailedCount()).toBe(0);

    console.info(`fleet: 3 processes ready in ${Math.round(startupMs)} ms; ${N} items classified and ${violating} taken down in ${elapsedS.toFixed(1)} s (${Math.round(N / elapsedS)} items/s) with one classify process SIGKILLed after ${atKill}`);

    // The rest stop cleanly on SIGTERM.
    classifyB!.kill('SIGTERM');
    takedown!.kill('SIGTERM');
    expect(await classifyB!.exited).toBe(0);
    expect(await takedown!.exited).toBe(0);
  }, 240_000);
});
