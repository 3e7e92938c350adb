import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { redisServerOnPath, startRedisServer, type RedisHandle } from './redis-server-process.js';

export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

export interface ProvideRedisOptions {
  redisUrl?: string;
  dataDir: string;
  logger: Logger;
}

/**
 * Finds a Redis in the documented order: REDIS_URL; a redis-server on PATH started with AOF in
 * the data directory; a container through testcontainers when a Docker engine answers.
 */
export async function provideRedis(options: ProvideRedisOptions): Promise<RedisHandle> {
  if (options.redisUrl) return { url: options.redisUrl, how: 'REDIS_URL', stop: async () => undefined };
  if (redisServerOnPath()) {
    const handle = await startRedisServer({ dir: path.join(options.dataDir, 'redis'), appendOnly: true });
    options.logger.info({ url: handle.url }, 'started redis-server with AOF in the data directory');
    return handle;
  }
  const container = await tryContainer(options.logger);
  if (container) return container;
  throw new RedisUnavailableError(
    'no Redis found. modpipe needs one of: (1) REDIS_URL=redis://host:port, ' +
      '(2) redis-server on PATH (e.g. apt-get install redis-server), ' +
      '(3) a running Docker engine, for a Redis container through testcontainers.',
  );
}

async function tryContainer(logger: Logger): Promise<RedisHandle | null> {
  try {
    const tc = await import('testcontainers');
    await tc.getContainerRuntimeClient();
    const container = await new tc.GenericContainer('redis:7-alpine')
      .withCommand(['redis-server', '--appendonly', 'yes', '--maxmemory-policy', 'noeviction'])
      .withExposedPorts(6379)
      .start();
    const url = `redis://${container.getHost()}:${container.getMappedPort(6379)}`;
    logger.info({ url }, 'started a Redis container through testcontainers');
    return { url, how: 'testcontainers', stop: async () => void (await container.stop()) };
  } catch (e) {
    logger.debug({ err: e }, 'no container runtime for Redis');
    return null;
  }
}

/** BullMQ loses jobs under eviction; say so loudly instead of failing later. */
export async function checkEvictionPolicy(redis: Redis, logger: Logger): Promise<string | null> {
  try {
    const res = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const policy = res[1] ?? null;
    if (policy !== 'noeviction') {
      logger.warn({ policy }, 'Redis maxmemory-policy is not noeviction: BullMQ jobs can be evicted; set maxmemory-policy noeviction');
    }
    return policy;
  } catch (e) {
    logger.warn({ err: (e as Error).message }, 'could not read Redis maxmemory-policy (CONFIG disabled?); make sure it is noeviction');
    return null;
  }
}
