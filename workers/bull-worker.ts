import { UnrecoverableError, Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Logger } from '../shared/logger.js';
import { createRedisConnection } from '../shared/queues/queue-connection.js';
import type { PipelineWorker } from './worker-contract.js';

export interface BullWorkerOptions {
  queue: string;
  redisUrl: string;
  prefix: string;
  concurrency: number;
  logger: Logger;
  /** Short locks make a killed worker's jobs return sooner; renewal runs on the event loop. */
  lockDurationMs?: number;
}

/**
 * A BullMQ worker behind the common contract. Processors throw UnrecoverableError for input that
 * can never succeed (failed at once, kept with its reason) and anything else to be retried.
 */
export class BullPipelineWorker implements PipelineWorker {
  readonly worker: Worker;
  private readonly connection: ReturnType<typeof createRedisConnection>;

  constructor(
    readonly name: string,
    processor: (job: Job) => Promise<unknown>,
    private readonly options: BullWorkerOptions,
  ) {
    const lockDuration = options.lockDurationMs ?? 30_000;
    this.connection = createRedisConnection(options.redisUrl, 'worker');
    const opts: WorkerOptions = {
      connection: this.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      autorun: false,
      lockDuration,
      stalledInterval: Math.max(1_000, Math.floor(lockDuration / 2)),
      maxStalledCount: 3,
    };
    this.worker = new Worker(options.queue, processor, opts);
    const log = options.logger.child({ component: name });
    this.worker.on('failed', (job, err) => {
      const final = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || (job && job.attemptsMade >= (job.opts.attempts ?? 1));
      log[final ? 'error' : 'warn']({ job: job?.id, attempts: job?.attemptsMade, trace: traceOf(job), err: err.message }, final ? 'job failed for good' : 'job failed, will retry');
    });
    this.worker.on('error', (err) => log.error({ err: err.message }, 'worker error'));
  }

  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => void this.close(), { once: true });
    await this.worker.run();
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.worker.disconnect();
    // BullMQ leaves a connection it was given open; it is ours to close.
    if (this.connection.status !== 'end') this.connection.disconnect();
  }
}

function traceOf(job: Job | undefined): string | undefined {
  const data = job?.data as { trace?: unknown } | undefined;
  return typeof data?.trace === 'string' ? data.trace : undefined;
}
