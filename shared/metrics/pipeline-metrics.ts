import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Latency buckets in seconds: from a fast in-process path (ms) to a backed-up queue (minutes). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800];

/**
 * The process's metrics, created once per process and passed around: nothing registers into
 * prom-client's global default registry, so tests can run several pipelines in one process.
 */
export interface PipelineMetrics {
  readonly registry: Registry;
  readonly jobsCompleted: Counter<'queue'>;
  readonly jobsFailed: Counter<'queue' | 'final'>;
  readonly ingestToVerdict: Histogram<'source' | 'verdict'>;
  readonly verdictToEffect: Histogram<'action'>;
  readonly ingestToEffect: Histogram<'action'>;
  readonly inferenceBatchSize: Histogram;
  readonly inferenceSeconds: Histogram;
  readonly effects: Counter<'action' | 'category' | 'jurisdiction'>;
}

export function createPipelineMetrics(registry = new Registry()): PipelineMetrics {
  // Process metrics (CPU, memory, event loop lag, GC) on this registry only.
  collectDefaultMetrics({ register: registry, prefix: 'modpipe_' });
  const registers = [registry];
  return {
    registry,
    jobsCompleted: new Counter({ name: 'modpipe_jobs_completed_total', help: 'Jobs completed by this process', labelNames: ['queue'], registers }),
    jobsFailed: new Counter({
      name: 'modpipe_jobs_failed_total',
      help: 'Job attempts failed in this process; final="true" when no retry follows',
      labelNames: ['queue', 'final'],
      registers,
    }),
    ingestToVerdict: new Histogram({
      name: 'modpipe_ingest_to_verdict_seconds',
      help: 'Time from ingest (push, feed page, sweep page, report, rescan) to a written verdict',
      labelNames: ['source', 'verdict'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    verdictToEffect: new Histogram({
      name: 'modpipe_verdict_to_takedown_seconds',
      help: 'Time from a decision (classifier, moderator, authority) to its effect applied in the search index',
      labelNames: ['action'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    ingestToEffect: new Histogram({
      name: 'modpipe_ingest_to_takedown_seconds',
      help: 'Time from ingest to the effect applied in the search index',
      labelNames: ['action'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    inferenceBatchSize: new Histogram({
      name: 'modpipe_inference_batch_size',
      help: 'Items per classifier batch',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    }),
    inferenceSeconds: new Histogram({
      name: 'modpipe_inference_seconds',
      help: 'Classifier time per batch (all signals, media loading included)',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    effects: new Counter({
      name: 'modpipe_takedown_effects_total',
      help: 'Takedowns and restores applied to the search index, by category and jurisdiction ("global" for everywhere)',
      labelNames: ['action', 'category', 'jurisdiction'],
      registers,
    }),
  };
}
