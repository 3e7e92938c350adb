import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { itemSchema, type Item } from '../shared/items/item-schema.js';
import { createRedisConnection } from '../shared/queues/queue-connection.js';
import type { Infrastructure } from '../shared/wiring/infrastructure.js';
import { buildClassifier } from '../shared/wiring/signals.js';
import { BullPipelineWorker } from '../workers/bull-worker.js';
import { createWorkers } from '../workers/start-workers.js';
import type { PipelineWorker } from '../workers/worker-contract.js';
import { openBenchInfra } from './bench-infra.js';
import { argNumber, percentile, report } from './bench-support.js';

const BENIGN = [
  'Матч перенесли на субботу, билеты действительны',
  'New bakery opened on Main street, fresh bread every morning',
  'Прогноз погоди: завтра сонячно, до +18',
  'Die Straßenbahnlinie 4 fährt ab Montag wieder nach Plan',
  'Receta de tortilla de patatas de mi abuela, paso a paso',
  'دانشگاه تهران ثبت نام ترم جدید را آغاز کرد',
  '오늘 저녁 7시 온라인 세미나에 초대합니다',
  'Police warn: nobody from the bank will ever ask for your SMS code',
];
const VIOLATING = 'Free Telegram Premium for everyone, claim now https://telegram-premium-gift.example/claim';

function makeItems(n: number, tag: string): { items: Item[]; violating: number } {
  let violating = 0;
  const items = Array.from({ length: n }, (_, i) => {
    const bad = i % 10 === 0;
    if (bad) violating++;
    return itemSchema.parse({
      id: `bench-${tag}-${i}`,
      kind: 'post',
      channel_id: `bench-ch-${i % 200}`,
      text: `${bad ? VIOLATING : BENIGN[i % BENIGN.length]} #${i}`,
      reach: { views: i % 5000 },
    });
  });
  return { items, violating };
}

/** The ceiling: BullMQ jobs that do nothing, through the same Redis, same concurrency. */
async function noopRate(url: string, n: number, concurrency: number): Promise<number> {
  const prefix = `{bench-noop-${randomUUID().slice(0, 6)}}`;
  const conn = createRedisConnection(url, 'producer');
  const queue = new Queue('noop', { connection: conn, prefix, defaultJobOptions: { removeOnComplete: { count: 5_000 } } });
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  const workerConn = createRedisConnection(url, 'worker');
  const worker = new Worker('noop', async () => undefined, { connection: workerConn, prefix, concurrency });
  worker.on('completed', () => {
    if (++done === n) finish();
  });
  const t0 = performance.now();
  for (let i = 0; i < n; i += 100) await queue.addBulk(Array.from({ length: Math.min(100, n - i) }, (_, k) => ({ name: 'noop', data: { i: i + k } })));
  await finished;
  const rate = n / ((performance.now() - t0) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  workerConn.disconnect();
  conn.disconnect();
  return rate;
}

/** Pushes as the API does: batches of 100 validated items, one classify job each. */
async function push(infra: Infrastructure, items: readonly Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 100) {
    await infra.classifyQueue.addBatched(items.slice(i, i + 100), { source: 'push', trace: `bench-${i}`, ingested_at: new Date().toISOString(), force: false });
  }
}

/** Counts completed jobs in-process (no polling queries competing with the pipeline for the store). */
function completionCounter(workers: readonly PipelineWorker[]) {
  const counts = { classify: 0, takedown: 0 };
  for (const w of workers) {
    if (!(w instanceof BullPipelineWorker)) continue;
    const kind = w.name.startsWith('classify') ? 'classify' : w.name.startsWith('takedown') ? 'takedown' : null;
    // A classify job carries up to 100 items and says how many it handled.
    if (kind) w.worker.on('completed', (_job, result: { items?: number } | undefined) => (counts[kind] += kind === 'classify' ? (result?.items ?? 1) : 1));
  }
  return {
    async waitFor(classified: number, takedowns: number, timeoutMs: number) {
      const deadline = Date.now() + timeoutMs;
      while (counts.classify < classified || counts.takedown < takedowns) {
        if (Date.now() > deadline) throw new Error(`timed out: ${counts.classify}/${classified} classified, ${counts.takedown}/${takedowns} takedowns`);
        await new Promise((res) => setTimeout(res, 20));
      }
    },
    reset() {
      counts.classify = 0;
      counts.takedown = 0;
    },
  };
}

async function latencies(infra: Infrastructure, prefix: string): Promise<number[]> {
  const r = await infra.db.query<{ ms: number }>(
    `SELECT (payload->>'ingest_to_effect_ms')::float8 AS ms FROM events WHERE type = 'takedown' AND subject_id LIKE $1`,
    [`${prefix}%`],
  );
  return r.rows.map((x) => x.ms);
}

/**
 * `npm run bench:pipeline [-- --items N --rate R --seconds S]`: pushes N items (10% violating)
 * through the real pipeline in this process and prints end-to-end items/s next to the no-op
 * BullMQ rate through the same Redis, then ingest-to-takedown latency at a fixed offered load.
 */
export async function runPipelineBench(args: string[]): Promise<void> {
  const n = argNumber(args, 'items', 20_000);
  const rate = argNumber(args, 'rate', 1_000);
  const seconds = argNumber(args, 'seconds', 10);
  const { config, logger, infra, redisUrl, close } = await openBenchInfra('pipeline');
  const db = infra.db;
  const classifier = await buildClassifier(config, logger);
  try {
    const noop = await noopRate(redisUrl, n, config.CLASSIFY_CONCURRENCY);
    const workers = await createWorkers(['classify', 'takedown'], infra, { classifier });
    const done = completionCounter(workers);
    const controller = new AbortController();
    const running = Promise.all(workers.map((w) => w.run(controller.signal)));

    // Ids unique to this run: a Postgres store keeps earlier runs' subjects.
    const run = randomUUID().slice(0, 8);
    const burst = makeItems(n, `burst-${run}`);
    await infra.postgresIndex?.upsert(burst.items);
    const t0 = performance.now();
    await push(infra, burst.items);
    await done.waitFor(n, burst.violating, 600_000);
    const e2e = n / ((performance.now() - t0) / 1000);
    const burstLat = await latencies(infra, `bench-burst-${run}-`);

    const steadyN = Math.round(rate * seconds);
    const steady = makeItems(steadyN, `steady-${run}`);
    await infra.postgresIndex?.upsert(steady.items);
    const tick = 50;
    const perTick = Math.max(1, Math.round((rate * tick) / 1000));
    done.reset();
    const s0 = performance.now();
    for (let i = 0; i < steadyN; i += perTick) {
      await push(infra, steady.items.slice(i, i + perTick));
      const due = s0 + ((i + perTick) / rate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const offered = steadyN / ((performance.now() - s0) / 1000);
    await done.waitFor(steadyN, steady.violating, 600_000);
    const lat = await latencies(infra, `bench-steady-${run}-`);

    report(`pipeline benchmark (store: ${db.kind}, ${os.availableParallelism()} cores, classifier: ${classifier.modelVersion})`, [
      ['items pushed (10% violating)', n],
      ['no-op BullMQ jobs/s (same Redis)', noop],
      ['end-to-end items/s', e2e],
      ['end-to-end / no-op ratio', `${((100 * e2e) / noop).toFixed(1)}% (aim >= 40%)`],
      ['burst ingest→takedown p50 ms', percentile(burstLat, 50)],
      ['burst ingest→takedown p99 ms', percentile(burstLat, 99)],
      [`offered load items/s (${seconds}s)`, offered],
      ['steady ingest→takedown p50 ms', percentile(lat, 50)],
      ['steady ingest→takedown p99 ms', `${percentile(lat, 99).toFixed(0)} (aim < 1000)`],
    ]);
    controller.abort();
    await Promise.all(workers.map((w) => w.close()));
    await running;
  } finally {
    await classifier.close();
    await close();
  }
}
