import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../shared/config.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { startRedisServer, type RedisHandle } from '../shared/redis/redis-server-process.js';
import { openDb } from '../shared/store/db.js';
import { openInfrastructure, type Infrastructure } from '../shared/wiring/infrastructure.js';

export interface BenchInfra {
  config: Config;
  logger: Logger;
  infra: Infrastructure;
  /** The Redis the bench measures through (its own, or REDIS_URL). */
  redisUrl: string;
  close(): Promise<void>;
}

/**
 * What a benchmark runs on: a throwaway data dir, a Redis of its own with AOF (or REDIS_URL),
 * PGlite in memory (or DATABASE_URL), and the pipeline's infrastructure on top.
 */
export async function openBenchInfra(name: string): Promise<BenchInfra> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `modpipe-bench-${name}-`));
  const config = loadConfig({ ...process.env, DATA_DIR: dir, LOG_LEVEL: 'warn', QUEUE_PREFIX: `{bench-${name}}` });
  const logger = createLogger(config.LOG_LEVEL);
  let redis: RedisHandle | null = null;
  const redisUrl = config.REDIS_URL ?? (redis = await startRedisServer({ dir: path.join(dir, 'redis'), appendOnly: true })).url;
  const db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATABASE_URL ? undefined : 'memory://' });
  const infra = await openInfrastructure(config, logger, { db, redisUrl });
  return {
    config,
    logger,
    infra,
    redisUrl,
    async close() {
      await infra.close();
      await db.close();
      await redis?.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
