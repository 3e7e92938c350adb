import { Queue } from 'bullmq';
import { z } from 'zod';
import { scopeSchema, type OutboxAction } from '../store/event-types.js';
import { jobDefaults } from './job-defaults.js';
import type { QueueContext } from './queue-connection.js';

export const TAKEDOWN_QUEUE = 'takedown';

export const takedownJobSchema = z.object({
  id: z.string().regex(/^[\w-]+$/),
  subject_id: z.string().min(1),
  action: z.enum(['delist', 'restore']),
  scope: scopeSchema,
  category: z.string().nullable(),
  reason: z.string(),
  actor: z.string(),
  decided_at: z.string(),
  ingested_at: z.string().optional(),
  trace: z.string().optional(),
});

export class TakedownQueue {
  readonly queue: Queue;

  constructor(ctx: QueueContext) {
    this.queue = new Queue(TAKEDOWN_QUEUE, {
      connection: ctx.connection,
      prefix: ctx.prefix,
      // The search index may be down for a while: retry longer than classification does.
      defaultJobOptions: jobDefaults(15, 1_000),
    });
  }

  /** The job id is the outbox id: enqueuing the same decision twice is one job while it exists. */
  async add(actions: readonly OutboxAction[]): Promise<void> {
    if (actions.length === 0) return;
    await this.queue.addBulk(actions.map((a) => ({ name: a.action, data: a, opts: { jobId: a.id, priority: a.action === 'restore' ? 1 : 2 } })));
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
