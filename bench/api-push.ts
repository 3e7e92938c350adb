import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.js';
import { PrincipalService } from '../shared/auth/principal-service.js';
import type { ItemInput } from '../shared/items/item-schema.js';
import type { Infrastructure } from '../shared/wiring/infrastructure.js';
import { openBenchInfra } from './bench-infra.js';
import { argNumber, percentile, report } from './bench-support.js';

const BATCH = 100;

function batchOf(tag: string, r: number): ItemInput[] {
  return Array.from({ length: BATCH }, (_, i) => ({
    id: `api-${tag}-${r}-${i}`, kind: 'post', channel_id: `api-ch-${i % 50}`,
    text: `Ordinary post ${r}/${i}: the bakery on Main street opens at seven, fresh bread every morning`,
    reach: { views: i * 7 },
  }));
}

/** Runs `fn(i)` for i in [0, n) with at most `concurrency` in flight. */
async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) await fn(next++);
  }));
}

async function httpRate(url: string, token: string, tag: string, requests: number, concurrency: number): Promise<{ itemsPerS: number; latencies: number[] }> {
  const bodies = Array.from({ length: requests }, (_, r) => JSON.stringify({ items: batchOf(tag, r) }));
  const latencies: number[] = [];
  const t0 = performance.now();
  await pool(requests, concurrency, async (r) => {
    const s = performance.now();
    const res = await fetch(`${url}/v1/items`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: bodies[r] });
    if (res.status !== 202) throw new Error(`push answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
    latencies.push(performance.now() - s);
  });
  return { itemsPerS: (requests * BATCH) / ((performance.now() - t0) / 1000), latencies };
}

/** The same jobs straight into the same queue: the ceiling the API's overhead is measured against. */
async function addBulkRate(infra: Infrastructure, tag: string, requests: number, concurrency: number): Promise<number> {
  const now = new Date().toISOString();
  const batches = Array.from({ length: requests }, (_, r) => batchOf(tag, r));
  const t0 = performance.now();
  // As the API queues a request: one batch job of its 100 validated items.
  await pool(requests, concurrency, (r) => infra.classifyQueue.addBatched(batches[r]!, { source: 'push', trace: `bench-${tag}-${r}`, ingested_at: now, force: false }));
  return (requests * BATCH) / ((performance.now() - t0) / 1000);
}

async function listen(app: FastifyInstance): Promise<string> {
  return app.listen({ host: '127.0.0.1', port: 0 });
}

/**
 * `npm run bench:api [-- --requests N --concurrency C]`: POST /v1/items in batches of 100 over
 * real HTTP on loopback (with and without the embedded demo index's upsert), against the raw
 * addBulk rate of the same jobs into the same queue in the same run. Nothing consumes the queue.
 */
export async function runApiBench(args: string[]): Promise<void> {
  const requests = argNumber(args, 'requests', 200);
  const concurrency = argNumber(args, 'concurrency', 8);
  const { infra, close } = await openBenchInfra('api');
  const db = infra.db;
  const principals = new PrincipalService(db);
  await principals.ensurePrincipal('bench-platform', 'machine', ['platform']);
  const { token } = await principals.createToken('bench-platform', ['items:write'], 10_000_000);
  const withIndex = await buildApp({ infra });
  // The platform's own index (SEARCH_INDEX=http) is not written on push: the API path alone.
  const withoutIndex = await buildApp({ infra: { ...infra, postgresIndex: null } });
  const clear = () => infra.classifyQueue.queue.obliterate({ force: true });
  try {
    const bareUrl = await listen(withoutIndex);
    await httpRate(bareUrl, token, 'warm', Math.min(20, requests), concurrency); // JIT, connections, token cache
    await clear();
    const bare = await httpRate(bareUrl, token, 'bare', requests, concurrency);
    // One batch job per request, each holding its 100 items.
    const queued = await infra.classifyQueue.queue.getJobCountByTypes('prioritized', 'waiting');
    if (queued !== requests) throw new Error(`expected ${requests} queued batch jobs, found ${queued}`);
    await clear();
    const indexed = await httpRate(await listen(withIndex), token, 'indexed', requests, concurrency);
    await clear();
    const raw = await addBulkRate(infra, 'raw', requests, concurrency);
    await clear();
    report(`API push benchmark (store: ${db.kind}, ${os.availableParallelism()} cores, ${requests} requests x ${BATCH} items, ${concurrency} in flight, loopback HTTP)`, [
      ['addBulk into the classify queue, items/s', raw],
      ['POST /v1/items, items/s', bare.itemsPerS],
      ['  / addBulk', `${((100 * bare.itemsPerS) / raw).toFixed(1)}%`],
      ['  request p50 ms', percentile(bare.latencies, 50)],
      ['  request p99 ms', percentile(bare.latencies, 99)],
      ['POST /v1/items + demo index upsert, items/s', indexed.itemsPerS],
      ['  request p50 ms', percentile(indexed.latencies, 50)],
      ['  request p99 ms', percentile(indexed.latencies, 99)],
    ]);
  } finally {
    await withIndex.close();
    await withoutIndex.close();
    await close();
  }
}
