import type { Job } from 'bullmq';
import type { Classifier } from '../shared/classify/classifier.js';
import { instrumentBullWorker, instrumentClassifier } from '../shared/metrics/worker-hooks.js';
import { CLASSIFY_QUEUE } from '../shared/queues/classify-queue.js';
import { RescanService } from '../shared/rescans/rescan-service.js';
import type { Infrastructure } from '../shared/wiring/infrastructure.js';
import { BullPipelineWorker } from './bull-worker.js';
import type { PipelineWorker } from './worker-contract.js';

const instrumented = new WeakSet<object>();

/**
 * Observability attached from outside the processors: metrics from worker events and classifier
 * calls, and rescans' failed counts from classify jobs that failed for good.
 */
export function attachOpsHooks(workers: readonly PipelineWorker[], infra: Infrastructure, classifier?: Classifier): void {
  if (classifier && !instrumented.has(classifier)) {
    instrumented.add(classifier);
    instrumentClassifier(classifier, infra.metrics);
  }
  const rescans = new RescanService(infra.db);
  for (const w of workers) {
    if (!(w instanceof BullPipelineWorker) || instrumented.has(w)) continue;
    instrumented.add(w);
    instrumentBullWorker(w.worker, infra.metrics);
    if (w.worker.name !== CLASSIFY_QUEUE) continue;
    w.worker.on('failed', (job: Job | undefined, err: Error) => {
      const rescanId = (job?.data as { rescan_id?: unknown } | undefined)?.rescan_id;
      const final = err.name === 'UnrecoverableError' || (job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1));
      if (typeof rescanId !== 'string' || !final) return;
      rescans.recordFailure(rescanId).catch((e: unknown) => infra.logger.warn({ rescan: rescanId, err: (e as Error).message }, 'could not count a rescan failure'));
    });
  }
}
