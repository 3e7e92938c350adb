import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import type { Classifier } from '../../shared/classify/classifier.js';
import { loadConfig } from '../../shared/config.js';
import { openInfrastructure, type Infrastructure } from '../../shared/wiring/infrastructure.js';
import { buildClassifier } from '../../shared/wiring/signals.js';
import { createWorkers } from '../../workers/start-workers.js';
import type { PipelineWorker } from '../../workers/worker-contract.js';
import { eventually } from '../support/eventually.js';
import { PHISHING_TEXT, post } from '../support/items.js';
import { openTestDb, type TestDb } from '../support/test-db.js';
import { startTestRedis, type TestRedis } from '../support/test-redis.js';
import { bearer, tokenFor } from '../support/tokens.js';

describe('one trace through the logs', () => {
  const lines: string[] = [];
  let redis: TestRedis;
  let t: TestDb;
  let infra: Infrastructure;
  let classifier: Classifier;
  let workers: PipelineWorker[];
  let running: Promise<unknown>;
  const controller = new AbortController();

  beforeAll(async () => {
    redis = await startTestRedis();
    t = await openTestDb('pglite');
    // The pipeline as a process runs it, its logs captured in memory instead of stdout.
    const config = loadConfig({ QUEUE_PREFIX: redis.prefix(), LOG_LEVEL: 'info', TEXT_MODEL: 'none', IMAGE_MODEL: 'none', BATCH_WAIT_MS: '2' });
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(...chunk.toString().split('\n').filter(Boolean)); done(); } });
    const logger = pino({ level: 'info' }, sink);
    infra = await openInfrastructure(config, logger, { db: t.db, redisUrl: redis.url });
    classifier = await buildClassifier(config, logger, { db: t.db, classifyQueue: infra.classifyQueue });
    workers = await createWorkers(['classify', 'takedown'], infra, { classifier });
    running = Promise.all(workers.map((w) => w.run(controller.signal)));
  });
  afterAll(async () => {
    controller.abort();
    await Promise.all(workers.map((w) => w.close()));
    await running;
    await classifier?.close();
    await infra?.close();
    await t?.drop();
    await redis?.stop();
  });

  it('follows a pushed item from the API through classify and takedown with one grep', async () => {
    const app = await buildApp({ infra, logger: true });
    try {
      const token = await tokenFor(t.db, ['platform'], ['items:write']);
      const item = post({ text: `${PHISHING_TEXT} ${randomUUID().slice(0, 6)}` });
      const res = await app.inject({ method: 'POST', url: '/v1/items', headers: bearer(token), payload: { items: [item] } });
      expect(res.statusCode).toBe(202);
      const { trace } = res.json() as { trace: string };
      await eventually(async () => lines.some((l) => l.includes(trace) && l.includes('"component":"takedown"')), 20_000, 'the takedown log line');

      const grep = lines.filter((l) => l.includes(trace)).map((l) => JSON.parse(l) as Record<string, unknown>);
      const stage = (component: string, msg: string) => grep.find((l) => l.component === component && l.msg === msg);
      // The API logs the request id as `trace`; each job carries `<request id>/<item id>` under the same key.
      expect(stage('api', 'items accepted')).toMatchObject({ trace, accepted: 1 });
      expect(stage('classify', 'classified')).toMatchObject({ trace: `${trace}/${item.id}`, item: item.id, verdict: 'takedown' });
      expect(stage('takedown', 'delist applied')).toMatchObject({ trace: `${trace}/${item.id}`, subject: item.id, category: 'scam' });
      for (const l of grep) expect(String(l.trace ?? l.reqId)).toContain(trace);
      // The record carries it too: the events of the item name the same trace.
      const events = await t.db.query<{ type: string; trace: string }>(`SELECT type, payload->>'trace' AS trace FROM events WHERE subject_id = $1 ORDER BY seq`, [item.id]);
      expect(events.rows).toEqual([
        { type: 'ingested', trace: `${trace}/${item.id}` },
        { type: 'classified', trace: `${trace}/${item.id}` },
        { type: 'takedown', trace: `${trace}/${item.id}` },
      ]);
    } finally {
      await app.close();
    }
  });
});
