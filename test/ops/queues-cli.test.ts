import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASSIFY_QUEUE } from '../../shared/queues/classify-queue.js';
import { createRedisConnection } from '../../shared/queues/queue-connection.js';
import { eventually } from '../support/eventually.js';
import { startTestRedis, type TestRedis } from '../support/test-redis.js';

const BIN = fileURLToPath(new URL('../../bin/modpipe.js', import.meta.url));

describe('modpipe queues', () => {
  let redis: TestRedis;
  let prefix: string;
  let queue: Queue;
  let connection: ReturnType<typeof createRedisConnection>;

  const cli = (...args: string[]) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'queues', ...args], { env: { ...process.env, REDIS_URL: redis.url, QUEUE_PREFIX: prefix } }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
      });
    });

  beforeAll(async () => {
    redis = await startTestRedis();
    prefix = redis.prefix();
    connection = createRedisConnection(redis.url, 'producer');
    queue = new Queue(CLASSIFY_QUEUE, { connection, prefix });
    // One job that fails for good, the way a malformed item does.
    const workerConnection = createRedisConnection(redis.url, 'worker');
    const worker = new Worker(CLASSIFY_QUEUE, async () => { throw new UnrecoverableError('malformed item x: text: expected string'); }, { connection: workerConnection, prefix });
    await queue.add('feed', { item: { id: 'x' } }, { jobId: 'bad-1' });
    await eventually(async () => (await queue.getFailedCount()) === 1, 10_000, 'the job to fail');
    await worker.close();
    workerConnection.disconnect();
  });
  afterAll(async () => {
    await queue?.obliterate({ force: true });
    await queue?.close();
    connection?.disconnect();
    await redis?.stop();
  });

  it('lists counts, shows failed jobs with their reason, shows one job, retries them', async () => {
    const list = await cli('list');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^classify\s.*failed=1/m);
    expect(list.out).toMatch(/^ingest\s/m);
    expect(list.out).toMatch(/^takedown\s/m);

    const failed = await cli('failed', 'classify');
    expect(failed.out).toMatch(/^bad-1\t.*attempts=1\tsubject=x\tmalformed item x: text: expected string$/m);

    const show = await cli('show', 'classify', 'bad-1');
    expect(JSON.parse(show.out)).toMatchObject({ id: 'bad-1', state: 'failed', failedReason: 'malformed item x: text: expected string', data: { item: { id: 'x' } } });

    const retry = await cli('retry', 'classify');
    expect(retry.out).toContain('retried 1 failed jobs of classify');
    expect(await queue.getFailedCount()).toBe(0);
    expect(await queue.getJobState('bad-1')).toBe('waiting');
  }, 60_000);

  it('pauses and resumes a queue and cleans finished jobs', async () => {
    expect((await cli('pause', 'classify')).out).toContain('paused classify');
    expect(await queue.isPaused()).toBe(true);
    expect((await cli('list')).out).toMatch(/^classify\s+\(paused\)/m);
    expect((await cli('resume', 'classify')).out).toContain('resumed classify');
    expect(await queue.isPaused()).toBe(false);
    expect((await cli('clean', 'classify', '--state', 'failed')).out).toContain('removed 0 failed jobs from classify');
  }, 60_000);

  it('explains its usage on a wrong command or queue (exit code 2)', async () => {
    const bad = await cli('failed', 'nope');
    expect(bad.code).toBe(2);
    expect(bad.out).toContain("unknown queue 'nope'");
    expect((await cli('clean', 'classify', '--state', 'active')).code).toBe(2);
  }, 60_000);
});
