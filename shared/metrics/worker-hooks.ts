import type { Job, Worker } from 'bullmq';
import type { Classifier } from '../classify/classifier.js';
import type { PipelineMetrics } from './pipeline-metrics.js';

const since = (iso: unknown): number | null => {
  if (typeof iso !== 'string') return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : Math.max(0, (Date.now() - t) / 1000);
};

function isFinal(job: Job | undefined, err: Error): boolean {
  return err.name === 'UnrecoverableError' || !job || job.attemptsMade >= (job.opts.attempts ?? 1);
}

/**
 * Metrics from BullMQ's worker events, so processors stay free of metric calls: counts per queue,
 * and the latencies the job data and return values already carry (ingested_at, decided_at).
 */
export function instrumentBullWorker(worker: Worker, metrics: PipelineMetrics): void {
  const queue = worker.name;
  worker.on('completed', (job: Job, result: unknown) => {
    metrics.jobsCompleted.inc({ queue });
    const data = job.data as Record<string, unknown>;
    const out = (result ?? {}) as Record<string, unknown>;
    if (queue === 'classify') {
      const s = since(data.ingested_at);
      // A batch job reports its verdict counts (its items share one ingest time); a single job its verdict.
      const verdicts = (out.verdicts as Record<string, number> | undefined) ?? (out.skipped === false ? { [String(out.verdict)]: 1 } : {});
      if (s !== null) for (const [verdict, n] of Object.entries(verdicts)) for (let i = 0; i < n; i++) metrics.ingestToVerdict.observe({ source: String(data.source), verdict }, s);
    }
    if (queue === 'takedown' && out.result === 'applied') recordEffect(metrics, data);
  });
  worker.on('failed', (job: Job | undefined, err: Error) => {
    metrics.jobsFailed.inc({ queue, final: String(isFinal(job, err)) });
  });
}

function recordEffect(metrics: PipelineMetrics, data: Record<string, unknown>): void {
  const action = String(data.action);
  const category = typeof data.category === 'string' ? data.category : 'none';
  const scope = data.scope as { global?: true; jurisdictions?: string[] } | undefined;
  const where = scope?.jurisdictions ?? ['global'];
  for (const jurisdiction of where) metrics.effects.inc({ action, category, jurisdiction });
  const decided = since(data.decided_at);
  if (decided !== null) metrics.verdictToEffect.observe({ action }, decided);
  const ingested = since(data.ingested_at);
  if (ingested !== null) metrics.ingestToEffect.observe({ action }, ingested);
}

/** Batch size and latency of every classifier call, by wrapping the instance's `classify`. */
export function instrumentClassifier(classifier: Classifier, metrics: PipelineMetrics): void {
  const classify = classifier.classify.bind(classifier);
  classifier.classify = async (items) => {
    if (items.length === 0) return classify(items);
    const end = metrics.inferenceSeconds.startTimer();
    try {
      return await classify(items);
    } finally {
      end();
      metrics.inferenceBatchSize.observe(items.length);
    }
  };
}
