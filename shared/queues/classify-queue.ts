import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { z } from 'zod';
import { jobDefaults, PRIORITY, type PriorityClass } from './job-defaults.js';
import type { QueueContext } from './queue-connection.js';

export const CLASSIFY_QUEUE = 'classify';

export const classifySourceSchema = z.enum(['push', 'feed', 'sweep', 'rescan', 'report']);
export type ClassifySource = z.infer<typeof classifySourceSchema>;

/**
 * A job carries one item (`item`) or a batch of already-validated items (`items`): a push or a
 * sweep page is one job, so queue overhead is paid per batch, not per item. A single item stays
 * `unknown` here: the classify worker validates it and fails a malformed one with a reason, so bad
 * input from feeds and sweeps lands in the failed list rather than vanishing.
 */
export const MAX_ITEMS_PER_JOB = 100;

export const classifyJobSchema = z.object({
  item: z.unknown().optional(),
  items: z.array(z.unknown()).min(1).max(1_000).optional(),
  source: classifySourceSchema,
  trace: z.string().min(1),
  ingested_at: z.string().datetime(),
  /** Classify even if this content was classified by the current model (rescans that insist). */
  force: z.boolean().default(false),
  rescan_id: z.string().optional(),
});
export type ClassifyJob = z.input<typeof classifyJobSchema>;
export type ClassifyJobCommon = Omit<ClassifyJob, 'item' | 'items'>;

const priorityOf: Record<ClassifySource, PriorityClass> = { report: 'report', push: 'live', feed: 'live', rescan: 'rescan', sweep: 'sweep' };

function jobIdFor(job: ClassifyJob): string | undefined {
  const content = job.items ?? [job.item];
  if (content.some((i) => !i || typeof (i as { id?: unknown }).id !== 'string')) return undefined;
  // The same content pushed twice while the first job still waits is one job; colons are not allowed.
  const basis = `${JSON.stringify(content)}\u0000${job.force ? job.trace : ''}`;
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

  /** Validated items as batch jobs of up to MAX_ITEMS_PER_JOB; each item's trace is `<trace>/<item id>`. */
  async addBatched(items: readonly unknown[], common: ClassifyJobCommon, options: { priority?: number } = {}): Promise<void> {
    const jobs: ClassifyJob[] = [];
    for (let i = 0; i < items.length; i += MAX_ITEMS_PER_JOB) {
      const chunk = items.slice(i, i + MAX_ITEMS_PER_JOB);
      jobs.push({ ...common, trace: items.length > MAX_ITEMS_PER_JOB ? `${common.trace}.${i / MAX_ITEMS_PER_JOB}` : common.trace, items: chunk });
    }
    await this.add(jobs, options);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
