import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startRedisServer } from '../../shared/redis/redis-server-process.js';

export interface TestRedis {
  url: string;
  /** A fresh BullMQ prefix per use, so tests sharing a server never see each other's jobs. */
  prefix(): string;
  stop(): Promise<void>;
}

/** REDIS_URL when given (CI with testcontainers or a service), else a redis-server of our own. */
export async function startTestRedis(): Promise<TestRedis> {
  const prefix = () => `{t${randomUUID().slice(0, 8)}}`;
  if (process.env.TEST_REDIS_URL) return { url: process.env.TEST_REDIS_URL, prefix, stop: async () => undefined };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modpipe-redis-'));
  const handle = await startRedisServer({ dir, appendOnly: false });
  return {
    url: handle.url,
    prefix,
    stop: async () => {
      await handle.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
