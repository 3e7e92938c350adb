import { UnrecoverableError, type Job } from 'bullmq';
import type { z } from 'zod';
import type { Classifier } from '../../shared/classify/classifier.js';
import { planClassification, type ClassifiedItem } from '../../shared/classify/classification-plan.js';
import { contentHash } from '../../shared/items/content-hash.js';
import { itemSchema, type Item } from '../../shared/items/item-schema.js';
import type { Logger } from '../../shared/logger.js';
import { CLASSIFY_QUEUE, classifyJobSchema, type ClassifyJob, type ClassifyQueue } from '../../shared/queues/classify-queue.js';
import { MicroBatcher } from '../../shared/runtime/micro-batcher.js';
import type { BatchingWriter } from '../../shared/store/batching-writer.js';
import type { Db } from '../../shared/store/db.js';
import { toItemRow } from '../../shared/store/item-rows.js';
import type { OutboxDispatcher } from '../takedown/outbox-dispatcher.js';
import { BullPipelineWorker } from '../bull-worker.js';
import { describeIssues, ITEM_ISSUES } from '../../shared/validation/describe-issues.js';

export interface ClassifyWorkerOptions {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  batchSize: number;
  batchWaitMs: number;
  lockDurationMs?: number;
  db: Db;
  writer: BatchingWriter;
  classifier: Classifier;
  outbox: OutboxDispatcher;
  /** Where a batch's malformed items are queued alone, to fail with their reason. */
  classifyQueue: ClassifyQueue;
  logger: Logger;
}

export interface ClassifyOutcome {
  verdict: string | null;
  category: string | null;
  skipped: boolean;
}

interface Task {
  job: z.output<typeof classifyJobSchema>;
  item: Item;
  hash: string;
  trace: string;
}

function malformedReason(raw: unknown, error: z.ZodError): string {
  const r = raw as { id?: unknown } | null;
  const id = r && typeof r === 'object' && typeof r.id === 'string' ? r.id.slice(0, 100) : '(no id)';
  return `malformed item ${id}: ${describeIssues(error, ITEM_ISSUES)}`;
}

export interface ParsedClassifyJob {
  job: z.output<typeof classifyJobSchema>;
  items: Item[];
  /** Items of a batch job that do not validate: each goes round again alone, to fail visibly. */
  invalid: unknown[];
}

/** Validates a job; input that can never succeed fails at once with its reason. */
export function parseClassifyJob(data: unknown): ParsedClassifyJob {
  const job = classifyJobSchema.safeParse(data);
  if (!job.success) throw new UnrecoverableError(`malformed classify job: ${describeIssues(job.error, ITEM_ISSUES)}`);
  if (job.data.items) {
    const items: Item[] = [];
    const invalid: unknown[] = [];
    for (const raw of job.data.items) {
      const p = itemSchema.safeParse(raw);
      if (p.success) items.push(p.data);
      else invalid.push(raw);
    }
    return { job: job.data, items, invalid };
  }
  const item = itemSchema.safeParse(job.data.item);
  if (!item.success) throw new UnrecoverableError(malformedReason(job.data.item, item.error));
  return { job: job.data, items: [item.data], invalid: [] };
}

/**
 * Classify workers: jobs are gathered into micro-batches (one signal pass and one transaction for
 * many items); decisions are written with their outbox rows, then queued for takedown.
 */
export function createClassifyWorker(options: ClassifyWorkerOptions): BullPipelineWorker {
  const log = options.logger.child({ component: 'classify' });
  const batcher = new MicroBatcher<Task, ClassifyOutcome>((tasks) => classifyBatch(tasks, options), {
    maxBatch: options.batchSize,
    maxWaitMs: options.batchWaitMs,
    // Batches overlap: one waits on the store while the next runs its signals.
    concurrency: 4,
  });
  const worker = new BullPipelineWorker(
    'classify-worker',
    async (job: Job<ClassifyJob>) => {
      const { job: data, items, invalid } = parseClassifyJob(job.data);
      if (invalid.length > 0) {
        const { items: _batch, ...common } = data;
        await options.classifyQueue.add(invalid.map((item, i) => ({ ...common, trace: `${data.trace}/invalid-${i}`, item })));
        log.warn({ trace: data.trace, invalid: invalid.length }, 'batch held malformed items: each queued alone to fail with its reason');
      }
      const batch = Boolean(data.items);
      const outcomes = await Promise.all(
        items.map(async (item) => {
          const trace = batch ? `${data.trace}/${item.id}` : data.trace;
          const outcome = await batcher.submit({ job: data, item, hash: contentHash(item), trace });
          log.info({ trace, item: item.id, ...outcome }, 'classified');
          return outcome;
        }),
      );
      if (!batch) return outcomes[0];
      const verdicts: Record<string, number> = {};
      for (const o of outcomes) if (o.verdict && !o.skipped) verdicts[o.verdict] = (verdicts[o.verdict] ?? 0) + 1;
      return { items: outcomes.length, skipped: outcomes.filter((o) => o.skipped).length, invalid: invalid.length, verdicts };
    },
    { queue: CLASSIFY_QUEUE, redisUrl: options.redisUrl, prefix: options.prefix, concurrency: options.concurrency, logger: options.logger, lockDurationMs: options.lockDurationMs },
  );
  const close = worker.close.bind(worker);
  worker.close = async () => {
    await close();
    await batcher.close();
  };
  return worker;
}

async function classifyBatch(tasks: Task[], options: ClassifyWorkerOptions): Promise<ClassifyOutcome[]> {
  const { classifier } = options;
  // Cheap pre-check: content already classified by this model costs no inference.
  const known = await options.db.query<{ subject_id: string; classified_hash: string | null; model_version: string | null }>(
    'SELECT subject_id, classified_hash, model_version FROM subject_status WHERE subject_id = ANY($1::text[])',
    [tasks.map((t) => t.item.id)],
  );
  const prior = new Map(known.rows.map((r) => [r.subject_id, r]));
  const fresh = tasks.filter((t) => {
    const p = prior.get(t.item.id);
    return t.job.force || !p || p.classified_hash !== t.hash || p.model_version !== classifier.modelVersion;
  });
  const results = await classifier.classify(fresh.map((t) => t.item));
  const byTask = new Map(fresh.map((t, i) => [t, results[i]!]));
  const written = await Promise.all(
    tasks.map(async (t) => {
      const classification = byTask.get(t);
      if (!classification) return null;
      const c: ClassifiedItem = {
        item: t.item, contentHash: t.hash, classification, source: t.job.source, trace: t.trace,
        ingestedAt: t.job.ingested_at, force: t.job.force, rescanId: t.job.rescan_id,
      };
      return options.writer.write({
        subjects: [{ id: t.item.id, channel_id: t.item.channel_id }],
        items: [toItemRow(t.item, t.hash)],
        plan: (view) => planClassification(c, view),
      });
    }),
  );
  // Decisions are committed: queue their effects together (the outbox poller covers a failure here).
  await options.outbox.dispatch(written.flatMap((w) => w?.outbox ?? []));
  const outcomes = tasks.map((t, i): ClassifyOutcome => {
    const classification = byTask.get(t);
    const w = written[i];
    if (!classification || !w) return { verdict: null, category: null, skipped: true };
    return { verdict: classification.verdict, category: classification.category, skipped: w.events.length === 0 };
  });
  return outcomes;
}
