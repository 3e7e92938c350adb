import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from '../../shared/logger.js';
import { TAKEDOWN_QUEUE, takedownJobSchema } from '../../shared/queues/takedown-queue.js';
import { SearchIndexError, type SearchIndex } from '../../shared/search-index/search-index.js';
import type { Db } from '../../shared/store/db.js';
import type { RecordStore } from '../../shared/store/record-store.js';
import { BullPipelineWorker } from '../bull-worker.js';
import { describeIssues, ITEM_ISSUES } from '../../shared/validation/describe-issues.js';
import { MicroBatcher } from '../../shared/runtime/micro-batcher.js';
import type { OutboxAction } from '../../shared/store/event-types.js';
import { applyActions, type ApplyOutcome } from './apply-action.js';

export interface TakedownWorkerOptions {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  lockDurationMs?: number;
  db: Db;
  store: RecordStore;
  index: SearchIndex;
  logger: Logger;
}

/** Applies delist/restore actions to the search index and records each effect once. */
export function createTakedownWorker(options: TakedownWorkerOptions): BullPipelineWorker {
  const log = options.logger.child({ component: 'takedown' });
  const batcher = new MicroBatcher<OutboxAction, ApplyOutcome>((actions) => applyActions(options, actions), { maxBatch: 64, maxWaitMs: 5 });
  const worker = new BullPipelineWorker(
    'takedown-worker',
    async (job: Job) => {
      const parsed = takedownJobSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`malformed takedown job: ${describeIssues(parsed.error, ITEM_ISSUES)}`);
      const a = parsed.data;
      try {
        const out = await batcher.submit(a);
        if (out.result === 'failed') throw out.error;
        log.info({ trace: a.trace, subject: a.subject_id, action: a.action, scope: a.scope, category: a.category, outbox: a.id, ...out }, `${a.action} ${out.result}`);
        return out;
      } catch (e) {
        if (e instanceof SearchIndexError && e.permanent) throw new UnrecoverableError(`search index refused ${a.action} of ${a.subject_id}: ${e.message}`);
        throw e;
      }
    },
    { queue: TAKEDOWN_QUEUE, redisUrl: options.redisUrl, prefix: options.prefix, concurrency: options.concurrency, logger: options.logger, lockDurationMs: options.lockDurationMs },
  );
  const close = worker.close.bind(worker);
  worker.close = async () => {
    await close();
    await batcher.close();
  };
  return worker;
}
