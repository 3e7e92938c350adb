import { Queue } from 'bullmq';
import { z } from 'zod';
import { jobDefaults, PRIORITY } from './job-defaults.js';
import type { QueueContext } from './queue-connection.js';

export const INGEST_QUEUE = 'ingest';

/** A scan task: one page of a source from a cursor. The worker queues the next page itself. */
export const scanTaskSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('sweep'),
    /** Names the cursor row; several sweeps of one index can run under different names. */
    name: z.string().min(1).default('search-index'),
    cursor: z.string().nullable(),
    page_size: z.number().int().min(1).max(10_000).default(500),
    /** Re-classify even content classified by the current model. */
    force: z.boolean().default(false),
  }),
  z.object({
    kind: z.literal('feed'),
    name: z.string().min(1),
    /** A path to an NDJSON file or an http(s) URL serving NDJSON (`?after=<cursor>` is appended). */
    location: z.string().min(1),
    cursor: z.string().nullable(),
    page_size: z.number().int().min(1).max(10_000).default(500),
  }),
  /** One page of a rescan (`rescans` row): the cursor is the last item id queued. */
  z.object({
    kind: z.literal('rescan'),
    rescan_id: z.string().min(1),
    cursor: z.string().nullable(),
    page_size: z.number().int().min(1).max(10_000).default(500),
  }),
]);
export type ScanTask = z.input<typeof scanTaskSchema>;

export class IngestQueue {
  readonly queue: Queue;

  constructor(ctx: QueueContext) {
    this.queue = new Queue(INGEST_QUEUE, { connection: ctx.connection, prefix: ctx.prefix, defaultJobOptions: jobDefaults(10, 2_000) });
  }

  async add(task: ScanTask, jobId?: string): Promise<void> {
    await this.queue.add(task.kind, task, { jobId, priority: task.kind === 'feed' ? PRIORITY.live : task.kind === 'rescan' ? PRIORITY.rescan : PRIORITY.sweep });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
