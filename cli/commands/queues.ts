import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { UsageError } from '../command.js';
import { loadConfig } from '../../shared/config.js';
import { CLASSIFY_QUEUE } from '../../shared/queues/classify-queue.js';
import { INGEST_QUEUE } from '../../shared/queues/ingest-queue.js';
import { createRedisConnection } from '../../shared/queues/queue-connection.js';
import { TAKEDOWN_QUEUE } from '../../shared/queues/takedown-queue.js';
import { runningServer } from '../../shared/redis/redis-server-process.js';

const QUEUES = [INGEST_QUEUE, CLASSIFY_QUEUE, TAKEDOWN_QUEUE];
const USAGE = `usage: modpipe queues list
       modpipe queues failed <queue> [--limit N]
       modpipe queues retry <queue> [--limit N]
       modpipe queues pause|resume <queue>
       modpipe queues show <queue> <job-id>
       modpipe queues clean <queue> [--state completed|failed] [--grace-ms N]
queues: ${QUEUES.join(', ')}`;

/** Queue inspection for operators; talks to REDIS_URL or the Redis a running `modpipe up` started. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { limit: { type: 'string', default: '50' }, 'grace-ms': { type: 'string', default: '0' }, state: { type: 'string', default: 'completed' } } });
  const [action, name, jobId] = positionals;
  if (!action || !['list', 'failed', 'retry', 'pause', 'resume', 'clean', 'show'].includes(action)) throw new UsageError(USAGE);
  if (action === 'clean' && !['completed', 'failed'].includes(values.state)) throw new UsageError(`clean removes completed or failed jobs, not '${values.state}'\n${USAGE}`);
  if (action === 'show' && !jobId) throw new UsageError(`which job?\n${USAGE}`);
  if (action !== 'list' && (!name || !QUEUES.includes(name))) throw new UsageError(`unknown queue '${name ?? ''}'\n${USAGE}`);
  const config = loadConfig();
  const url = config.REDIS_URL ?? (await runningServer(path.join(config.DATA_DIR, 'redis', 'modpipe-redis.pid')).then((s) => s && `redis://127.0.0.1:${s.port}`));
  if (!url) throw new UsageError('no Redis to inspect: set REDIS_URL, or start `modpipe up` (its Redis is found through the data directory)');
  const connection = createRedisConnection(url, 'producer');
  const open = (q: string) => new Queue(q, { connection, prefix: config.QUEUE_PREFIX });
  const limit = Number(values.limit);
  try {
    switch (action) {
      case 'list':
        for (const q of QUEUES) {
          const queue = open(q);
          const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
          const paused = await queue.isPaused();
          process.stdout.write(`${q.padEnd(9)} ${paused ? '(paused) ' : ''}${Object.entries(counts).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
        }
        return 0;
      case 'failed': {
        const jobs = await open(name!).getFailed(0, limit - 1);
        if (jobs.length === 0) process.stdout.write(`no failed jobs in ${name}\n`);
        for (const j of jobs) {
          const item = (j.data as { item?: { id?: unknown }; subject_id?: unknown }) ?? {};
          const subject = typeof item.item?.id === 'string' ? item.item.id : typeof item.subject_id === 'string' ? item.subject_id : '-';
          process.stdout.write(`${j.id}\t${new Date(j.finishedOn ?? j.timestamp).toISOString()}\tattempts=${j.attemptsMade}\tsubject=${subject}\t${j.failedReason}\n`);
        }
        return 0;
      }
      case 'retry': {
        const jobs = await open(name!).getFailed(0, limit - 1);
        await Promise.all(jobs.map((j) => j.retry('failed')));
        process.stdout.write(`retried ${jobs.length} failed jobs of ${name}\n`);
        return 0;
      }
      case 'pause':
        await open(name!).pause();
        process.stdout.write(`paused ${name}\n`);
        return 0;
      case 'resume':
        await open(name!).resume();
        process.stdout.write(`resumed ${name}\n`);
        return 0;
      case 'clean': {
        const state = values.state as 'completed' | 'failed';
        const removed = await open(name!).clean(Number(values['grace-ms']), 100_000, state);
        process.stdout.write(`removed ${removed.length} ${state} jobs from ${name}\n`);
        return 0;
      }
      case 'show': {
        const job = await open(name!).getJob(jobId!);
        if (!job) {
          process.stdout.write(`no job ${jobId} in ${name}\n`);
          return 1;
        }
        const state = await job.getState();
        process.stdout.write(`${JSON.stringify({ id: job.id, name: job.name, state, attempts: job.attemptsMade, priority: job.opts.priority, failedReason: job.failedReason, data: job.data, returnvalue: job.returnvalue, stacktrace: job.stacktrace?.slice(0, 1) }, null, 2)}\n`);
        return 0;
      }
    }
    return 2;
  } finally {
    connection.disconnect();
  }
}
