import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { registerQueueDepth, registerReviewBacklog } from '../metrics/pipeline-gauges.js';
import { createPipelineMetrics, type PipelineMetrics } from '../metrics/pipeline-metrics.js';
import { ClassifyQueue } from '../queues/classify-queue.js';
import { IngestQueue } from '../queues/ingest-queue.js';
import { createRedisConnection, type QueueContext } from '../queues/queue-connection.js';
import { TakedownQueue } from '../queues/takedown-queue.js';
import { checkEvictionPolicy, provideRedis } from '../redis/provide-redis.js';
import type { RedisHandle } from '../redis/redis-server-process.js';
import { HttpSearchIndex } from '../search-index/http-index.js';
import { PostgresSearchIndex } from '../search-index/postgres-index.js';
import type { SearchIndex } from '../search-index/search-index.js';
import { BatchingWriter } from '../store/batching-writer.js';
import { openDb, type Db } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { RecordStore } from '../store/record-store.js';
import { OutboxDispatcher } from '../../workers/takedown/outbox-dispatcher.js';

/** Everything a process shares: the record, Redis, the queues and the search index. */
export interface Infrastructure {
  config: Config;
  logger: Logger;
  db: Db;
  redisHandle: RedisHandle;
  redis: Redis;
  queueCtx: QueueContext;
  classifyQueue: ClassifyQueue;
  ingestQueue: IngestQueue;
  takedownQueue: TakedownQueue;
  store: RecordStore;
  writer: BatchingWriter;
  index: SearchIndex;
  /** The embedded demo index, when that is the configured one. */
  postgresIndex: PostgresSearchIndex | null;
  dispatcher: OutboxDispatcher;
  /** This process's metrics registry (one per process; `/metrics` serves it). */
  metrics: PipelineMetrics;
  close(): Promise<void>;
}

export async function openInfrastructure(config: Config, logger: Logger, overrides: { db?: Db; redisUrl?: string } = {}): Promise<Infrastructure> {
  const db = overrides.db ?? (await openDb({ databaseUrl: config.DATABASE_URL, dataDir: path.join(config.DATA_DIR, 'pglite') }));
  const applied = await migrate(db);
  if (applied.length) logger.info({ applied, store: db.kind }, 'migrations applied');
  const redisHandle = await provideRedis({ redisUrl: overrides.redisUrl ?? config.REDIS_URL, dataDir: config.DATA_DIR, logger });
  const redis = createRedisConnection(redisHandle.url, 'producer');
  await checkEvictionPolicy(redis, logger);
  const queueCtx: QueueContext = { connection: redis, prefix: config.QUEUE_PREFIX };
  const classifyQueue = new ClassifyQueue(queueCtx);
  const ingestQueue = new IngestQueue(queueCtx);
  const takedownQueue = new TakedownQueue(queueCtx);
  const store = new RecordStore(db);
  const writer = new BatchingWriter(store, { maxBatch: 256, maxWaitMs: config.BATCH_WAIT_MS, concurrency: db.kind === 'postgres' ? 4 : 1 });
  const postgresIndex = config.SEARCH_INDEX === 'postgres' ? new PostgresSearchIndex(db) : null;
  const index: SearchIndex =
    postgresIndex ?? new HttpSearchIndex({ baseUrl: config.SEARCH_INDEX_URL ?? '', secret: config.SEARCH_INDEX_SECRET ?? '' });
  const dispatcher = new OutboxDispatcher(db, takedownQueue, logger);
  const metrics = createPipelineMetrics();
  registerQueueDepth(metrics, [ingestQueue.queue, classifyQueue.queue, takedownQueue.queue]);
  registerReviewBacklog(metrics, db);
  return {
    config, logger, db, redisHandle, redis, queueCtx, classifyQueue, ingestQueue, takedownQueue, store, writer, index, postgresIndex, dispatcher, metrics,
    async close() {
      await writer.close();
      await Promise.all([classifyQueue.close(), ingestQueue.close(), takedownQueue.close()]);
      await index.close?.();
      redis.disconnect();
      if (!overrides.db) await db.close();
      await redisHandle.stop();
    },
  };
}
