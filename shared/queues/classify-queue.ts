import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { z } from 'zod';
import { jobDefaults, PRIORITY, type PriorityClass } from './job-defaults.js';
import type { QueueContext } from './queue-connection.js';

export const CLASSIFY_QUEUE = 'classify';

export const classifySourceSchema = z.enum(['push', 'feed', 'sweep', 'rescan', 'report']);
export type ClassifySource = z.infer<typeof classifySourceSchema>;

/**
 * The item stays `unknown` here: the classify worker validates it and fails a malformed one with
 * a reason, so bad input from feeds and sweeps lands in the failed list rather than vanishing.
 */
export const classifyJobSchema = z.object({
  item: z.unknown(),
  source: classifySourceSchema,
  trace: z.string().min(1),
  ingested_at: z.string().datetime(),
  /** Classify even if this content was classified by the current model (rescans that insist). */
  force: z.boolean().default(false),
  rescan_id: z.string().optional(),
});
export type ClassifyJob = z.input<typeof classifyJobSchema>;

const priorityOf: Record<ClassifySource, PriorityClass> = { report: 'report', push: 'live', feed: 'live', rescan: 'rescan', sweep: 'sweep' };

function jobIdFor(job: ClassifyJob): string | undefined {
  const item = job.item as { id?: unknown; text?: unknown } | null;
  if (!item || typeof item.id !== 'string') return undefined;
  // The same item pushed twice while the first job still waits is one job; colons are not allowed.
  const basis = `${item.id}\u0000${JSON.stringify(item)}\u0000${job.force ? job.trace : ''}`;
  return `c-${createHash('sha1').update(basis).digest('hex')}`;
}

export class ClassifyQueue {
  readonly queue: Queue;

  constructor(ctx: QueueContext) {
    this.queue = new Queue(CLASSIFY_QUEUE, {
      connection: ctx.connection,
      prefix: ctx.prefix,
      defaultJobOptions: jobDefaults(8, 1_000),
    });
  }

  /** `priority` overrides the source's class (rescans choose theirs, always below live). */
  async add(jobs: readonly ClassifyJob[], options: { priority?: number } = {}): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue.addBulk(
      jobs.map((data) => ({
        name: data.source,
        data,
        opts: { priority: options.priority ?? PRIORITY[priorityOf[data.source]], jobId: jobIdFor(data) },
      })),
    );
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
