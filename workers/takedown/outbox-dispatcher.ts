import type { Logger } from '../../shared/logger.js';
import type { TakedownQueue } from '../../shared/queues/takedown-queue.js';
import type { Db } from '../../shared/store/db.js';
import type { OutboxAction } from '../../shared/store/event-types.js';

/**
 * Queues committed decisions for the takedown workers. A failure here loses nothing: the decision
 * is already in the outbox, and the outbox poller queues whatever was never marked enqueued.
 */
export class OutboxDispatcher {
  constructor(
    private readonly db: Db,
    private readonly queue: TakedownQueue,
    private readonly logger: Logger,
  ) {}

  async dispatch(actions: readonly OutboxAction[]): Promise<boolean> {
    if (actions.length === 0) return true;
    try {
      await this.queue.add(actions);
      await this.db.query('UPDATE outbox SET enqueued_at = now() WHERE id = ANY($1::text[])', [actions.map((a) => a.id)]);
      return true;
    } catch (e) {
      this.logger.warn({ err: (e as Error).message, outbox: actions.map((a) => a.id) }, 'could not queue decisions now; the outbox poller will');
      return false;
    }
  }
}
