import { createHash, randomUUID } from 'node:crypto';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { contentHash } from '../../shared/items/content-hash.js';
import { itemSchema, type Item } from '../../shared/items/item-schema.js';
import type { Logger } from '../../shared/logger.js';
import type { ClassifyJob, ClassifyQueue } from '../../shared/queues/classify-queue.js';
import { INGEST_QUEUE, scanTaskSchema, type IngestQueue } from '../../shared/queues/ingest-queue.js';
import type { SearchIndex } from '../../shared/search-index/search-index.js';
import type { Db } from '../../shared/store/db.js';
import { BullPipelineWorker } from '../bull-worker.js';
import { describeIssues, ITEM_ISSUES } from '../../shared/validation/describe-issues.js';
import { FeedNotFoundError, readFilePage, readHttpPage } from './feed-reader.js';
import { currentModelVersion } from './model-version-registry.js';
import { runRescanPage } from './rescan-page.js';

export interface IngestWorkerOptions {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  db: Db;
  redis: Redis;
  index: SearchIndex;
  classifyQueue: ClassifyQueue;
  ingestQueue: IngestQueue;
  logger: Logger;
}

export interface PageOutcome {
  read: number;
  queued: number;
  skipped: number;
  next: string | null;
}

/**
 * Ingest workers turn sources into classify jobs one page at a time. The cursor is saved after
 * each page and the next page is its own job, so a sweep resumes where it stopped and a page
 * retried after a crash queues the same (deduplicated) jobs again.
 */
export function createIngestWorker(options: IngestWorkerOptions): BullPipelineWorker {
  const log = options.logger.child({ component: 'ingest' });
  return new BullPipelineWorker(
    'ingest-worker',
    async (job: Job) => {
      const parsed = scanTaskSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`malformed scan task: ${describeIssues(parsed.error, ITEM_ISSUES)}`);
      const task = parsed.data;
      if (task.kind === 'rescan') return runRescanPage({ ...options, logger: log }, task);
      const sourceKey = `${task.kind}:${task.name}`;
      const page = await (task.kind === 'sweep' ? options.index.scan(task.cursor, task.page_size) : readFeed(task.location, task.cursor, task.page_size)).catch((e: unknown) => {
        if (e instanceof FeedNotFoundError) throw new UnrecoverableError(e.message);
        throw e;
      });
      const force = task.kind === 'sweep' && task.force;
      const outcome = await queuePage(options, page.entries, task.kind === 'sweep' ? 'sweep' : 'feed', force);
      await options.db.query(
        `INSERT INTO source_cursors (source, cursor) VALUES ($1, $2)
         ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = now()`,
        [sourceKey, page.next],
      );
      if (page.next) {
        const nextId = `scan-${createHash('sha1').update(`${sourceKey}\u0000${page.next}\u0000${job.id}`).digest('hex')}`;
        await options.ingestQueue.add({ ...task, cursor: page.next }, nextId);
      } else {
        log.info({ source: sourceKey }, 'source scan reached the end');
      }
      const result: PageOutcome = { ...outcome, next: page.next };
      log.info({ source: sourceKey, cursor: task.cursor, ...result }, 'page ingested');
      return result;
    },
    { queue: INGEST_QUEUE, redisUrl: options.redisUrl, prefix: options.prefix, concurrency: options.concurrency, logger: options.logger },
  );
}

async function readFeed(location: string, cursor: string | null, limit: number) {
  const page = /^https?:\/\//.test(location) ? await readHttpPage(location, cursor, limit) : await readFilePage(location, cursor, limit);
  return { entries: page.records, next: page.next };
}

/** Queues a page's entries, skipping content the current model already classified. */
async function queuePage(options: IngestWorkerOptions, entries: unknown[], source: 'sweep' | 'feed', force: boolean): Promise<Omit<PageOutcome, 'next'>> {
  const version = force ? null : await currentModelVersion(options.redis, options.prefix);
  const valid: Item[] = [];
  const invalid: unknown[] = [];
  for (const e of entries) {
    const p = itemSchema.safeParse(e);
    if (p.success) valid.push(p.data);
    else invalid.push(e);
  }
  const hashes = new Map(valid.map((item) => [item.id, contentHash(item)]));
  const done = new Set<string>();
  if (version && hashes.size > 0) {
    const r = await options.db.query<{ subject_id: string; classified_hash: string }>(
      'SELECT subject_id, classified_hash FROM subject_status WHERE subject_id = ANY($1::text[]) AND model_version = $2',
      [[...hashes.keys()], version],
    );
    for (const row of r.rows) if (hashes.get(row.subject_id) === row.classified_hash) done.add(row.subject_id);
  }
  const now = new Date().toISOString();
  const todo = valid.filter((item) => !done.has(item.id));
  // Valid entries travel in batch jobs; each malformed one alone, failing with a reason operators see.
  await options.classifyQueue.addBatched(todo, { source, trace: randomUUID(), ingested_at: now, force });
  const single: ClassifyJob[] = invalid.map((item) => ({ item, source, trace: randomUUID(), ingested_at: now, force }));
  await options.classifyQueue.add(single);
  const queued = todo.length + single.length;
  return { read: entries.length, queued, skipped: entries.length - queued };
}
