import { UnrecoverableError } from 'bullmq';
import type { Logger } from '../../shared/logger.js';
import type { ClassifyJob, ClassifyQueue } from '../../shared/queues/classify-queue.js';
import type { IngestQueue } from '../../shared/queues/ingest-queue.js';
import { RESCAN_JOB_PRIORITY } from '../../shared/rescans/rescan-scope.js';
import { RescanNotFoundError, rescanTrace, RescanService } from '../../shared/rescans/rescan-service.js';
import type { Db } from '../../shared/store/db.js';

export interface RescanPageDeps {
  db: Db;
  classifyQueue: ClassifyQueue;
  ingestQueue: IngestQueue;
  logger: Logger;
}

export interface RescanPageTask {
  kind: 'rescan';
  rescan_id: string;
  cursor: string | null;
  page_size: number;
}

export interface RescanPageOutcome {
  rescan: string;
  queued: number;
  next: string | null;
  stopped: boolean;
}

/** The ingest job id of a rescan page: a page queued twice (retry, duplicate request) is one job. */
export const rescanPageJobId = (rescanId: string, cursor: string | null) => `rescan-${rescanId}-${cursor === null ? 'start' : Buffer.from(cursor).toString('base64url')}`;

/**
 * One page of a rescan: re-read the rescan (a cancel stops here), queue the page's items for
 * classification at the rescan's priority with `force` (the point is to classify again), record
 * the page, queue the next one. Every step is idempotent, so a retried page changes nothing twice.
 */
export async function runRescanPage(deps: RescanPageDeps, task: RescanPageTask): Promise<RescanPageOutcome> {
  const rescans = new RescanService(deps.db);
  const page = await rescans.page(task.rescan_id, task.cursor, task.page_size).catch((e: unknown) => {
    if (e instanceof RescanNotFoundError) throw new UnrecoverableError(e.message);
    throw e;
  });
  if (!page) {
    deps.logger.info({ rescan: task.rescan_id, cursor: task.cursor }, 'rescan no longer running: fan-out stops');
    return { rescan: task.rescan_id, queued: 0, next: null, stopped: true };
  }
  const now = new Date().toISOString();
  const jobs: ClassifyJob[] = page.items.map((item) => ({
    item, source: 'rescan', trace: rescanTrace(task.rescan_id, item.id), ingested_at: now, force: true, rescan_id: task.rescan_id,
  }));
  await deps.classifyQueue.add(jobs, { priority: RESCAN_JOB_PRIORITY[page.priority] });
  const next = page.items.length === task.page_size ? page.items.at(-1)!.id : null;
  await rescans.recordPage(task.rescan_id, task.cursor, next, jobs.length);
  if (next) await deps.ingestQueue.add({ ...task, cursor: next }, rescanPageJobId(task.rescan_id, next));
  deps.logger.info({ rescan: task.rescan_id, cursor: task.cursor, queued: jobs.length, next }, next ? 'rescan page queued' : 'rescan fan-out done');
  return { rescan: task.rescan_id, queued: jobs.length, next, stopped: false };
}
