import type { Classifier } from '../shared/classify/classifier.js';
import type { Infrastructure } from '../shared/wiring/infrastructure.js';
import { createClassifyWorker } from './classify/classify-worker.js';
import { announceModelVersion } from './ingest/model-version-registry.js';
import { createIngestWorker } from './ingest/ingest-worker.js';
import { CheckpointPoller } from './checkpoint-poller.js';
import { OutboxPoller } from './takedown/outbox-poller.js';
import { createTakedownWorker } from './takedown/takedown-worker.js';
import { attachOpsHooks } from './ops-hooks.js';
import type { PipelineWorker } from './worker-contract.js';

export const WORKER_KINDS = ['ingest', 'classify', 'takedown'] as const;
export type WorkerKind = (typeof WORKER_KINDS)[number];

export interface StartWorkersOptions {
  /** Needed when `classify` is among the kinds. */
  classifier?: Classifier;
  lockDurationMs?: number;
}

/** One entry point that builds any worker kind by name (DESIGN §6.1). */
export async function createWorkers(kinds: readonly WorkerKind[], infra: Infrastructure, options: StartWorkersOptions = {}): Promise<PipelineWorker[]> {
  const { config, logger } = infra;
  const common = { redisUrl: infra.redisHandle.url, prefix: config.QUEUE_PREFIX, logger, lockDurationMs: options.lockDurationMs };
  const workers: PipelineWorker[] = [];
  for (const kind of kinds) {
    switch (kind) {
      case 'ingest':
        workers.push(
          createIngestWorker({ ...common, concurrency: config.INGEST_CONCURRENCY, db: infra.db, redis: infra.redis, index: infra.index, classifyQueue: infra.classifyQueue, ingestQueue: infra.ingestQueue }),
        );
        break;
      case 'classify': {
        const classifier = options.classifier;
        if (!classifier) throw new Error('a classify worker needs a classifier');
        await announceModelVersion(infra.redis, config.QUEUE_PREFIX, classifier.modelVersion);
        workers.push(
          createClassifyWorker({
            ...common, concurrency: config.CLASSIFY_CONCURRENCY, batchSize: config.BATCH_SIZE, batchWaitMs: config.BATCH_WAIT_MS,
            db: infra.db, writer: infra.writer, classifier, outbox: infra.dispatcher, classifyQueue: infra.classifyQueue,
          }),
        );
        break;
      }
      case 'takedown':
        workers.push(createTakedownWorker({ ...common, concurrency: config.TAKEDOWN_CONCURRENCY, db: infra.db, store: infra.store, index: infra.index }));
        workers.push(new OutboxPoller({ db: infra.db, dispatcher: infra.dispatcher, logger, intervalMs: config.OUTBOX_POLL_MS }));
        workers.push(new CheckpointPoller({ db: infra.db, logger, intervalMs: config.CHECKPOINT_INTERVAL_MS }));
        break;
    }
  }
  attachOpsHooks(workers, infra, options.classifier);
  return workers;
}
