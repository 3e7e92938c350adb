import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config.js';
import { createLogger } from '../../shared/logger.js';
import { createRedisConnection } from '../../shared/queues/queue-connection.js';
import { provideRedis, RedisUnavailableError } from '../../shared/redis/provide-redis.js';
import { eventually } from '../support/eventually.js';
import { startTestRedis, type TestRedis } from '../support/test-redis.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/modpipe.js', import.meta.url));

describe('configuration', () => {
  it('names every invalid variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(/PORT[\s\S]*LOG_LEVEL|LOG_LEVEL[\s\S]*PORT/);
  });
  it('treats an empty variable as unset', () => {
    const config = loadConfig({ DATABASE_URL: '', PORT: '' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.PORT).toBe(8080);
  });
  it('needs a URL and a secret for the http search index', () => {
    expect(() => loadConfig({ SEARCH_INDEX: 'http' })).toThrow(/SEARCH_INDEX_URL and SEARCH_INDEX_SECRET/);
  });
});

describe('finding a Redis', () => {
  it('fails with a message naming the three ways when none is available', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'modpipe-noredis-'));
    const oldPath = process.env.PATH;
    const oldDocker = process.env.DOCKER_HOST;
    process.env.PATH = dir; // no redis-server here
    process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
    try {
      const err = await provideRedis({ dataDir: dir, logger: createLogger('silent') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RedisUnavailableError);
      expect((err as Error).message).toMatch(/REDIS_URL[\s\S]*redis-server on PATH[\s\S]*Docker/);
    } finally {
      process.env.PATH = oldPath;
      if (oldDocker === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = oldDocker;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('starts redis-server with AOF and noeviction in the data directory', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'modpipe-aof-'));
    const handle = await provideRedis({ dataDir: dir, logger: createLogger('silent') });
    const conn = createRedisConnection(handle.url, 'producer');
    try {
      expect(handle.how).toBe('redis-server');
      expect(await conn.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await conn.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(await conn.config('GET', 'dir')).toEqual(['dir', path.join(dir, 'redis')]);
    } finally {
      conn.disconnect();
      await handle.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('modpipe queues', () => {
  let redis: TestRedis;
  let prefix: string;
  beforeAll(async () => {
    redis = await startTestRedis();
    prefix = redis.prefix();
    const conn = createRedisConnection(redis.url, 'producer');
    const q = new Queue('classify', { connection: conn, prefix });
    const workerConn = createRedisConnection(redis.url, 'worker');
    const w = new Worker('classify', async () => { throw new UnrecoverableError('malformed item x1: text: expected string'); }, { connection: workerConn, prefix });
    await q.add('push', { item: { id: 'x1' } }, { jobId: 'job-1' });
    await eventually(async () => (await q.getFailedCount()) === 1 || undefined);
    await w.close();
    workerConn.disconnect();
    await q.close();
    conn.disconnect();
  });
  afterAll(async () => redis?.stop());

  const cli = (...args: string[]) => run(process.execPath, [BIN, 'queues', ...args], { env: { ...process.env, REDIS_URL: redis.url, QUEUE_PREFIX: prefix } });

  it('lists counts per queue and state', async () => {
    const { stdout } = await cli('list');
    expect(stdout).toMatch(/^classify\s+waiting=0 .*failed=1/m);
    expect(stdout).toMatch(/^takedown\s/m);
  });

  it('lists failed jobs with their reasons, and retries them', async () => {
    const { stdout } = await cli('failed', 'classify');
    expect(stdout).toMatch(/job-1\t.*attempts=1\tsubject=x1\tmalformed item x1: text: expected string/);
    expect((await cli('retry', 'classify')).stdout).toMatch(/retried 1 failed jobs of classify/);
    expect((await cli('list')).stdout).toMatch(/^classify\s+waiting=1 .*failed=0/m);
  });

  it('refuses an unknown queue with the list of queues', async () => {
    const err = await cli('failed', 'nope').catch((e: { stderr: string; code: number }) => e);
    expect(err).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown queue 'nope'[\s\S]*ingest, classify, takedown/) });
  });
});
