import type { Logger } from '../../shared/logger.js';
import type { Db } from '../../shared/store/db.js';
import type { OutboxAction } from '../../shared/store/event-types.js';
import { IntervalPoller } from '../interval-poller.js';
import type { OutboxDispatcher } from './outbox-dispatcher.js';

export interface OutboxPollerOptions {
  db: Db;
  dispatcher: OutboxDispatcher;
  logger: Logger;
  intervalMs: number;
  /** A decision not queued after this long was interrupted between commit and enqueue. */
  graceMs?: number;
  /** A queued decision not applied after this long is queued again (its job was lost). */
  staleMs?: number;
  batch?: number;
}

/** Picks up decisions that were committed but never confirmed, and queues them (DESIGN §6.5). */
export class OutboxPoller extends IntervalPoller {
  readonly name = 'outbox-poller';

  constructor(private readonly options: OutboxPollerOptions) {
    super(options.intervalMs, options.logger);
  }

  async runOnce(): Promise<number> {
    const { db, graceMs = 5_000, staleMs = 10 * 60_000, batch = 500 } = this.options;
    const rows = await db.query<{ action: OutboxAction }>(
      `SELECT action FROM outbox
       WHERE done_at IS NULL
         AND ((enqueued_at IS NULL AND created_at < now() - make_interval(secs => $1::float8 / 1000))
           OR enqueued_at < now() - make_interval(secs => $2::float8 / 1000))
       ORDER BY created_at LIMIT $3`,
      [graceMs, staleMs, batch],
    );
    if (rows.rows.length === 0) return 0;
    const ok = await this.options.dispatcher.dispatch(rows.rows.map((r) => r.action));
    if (ok) this.options.logger.info({ count: rows.rows.length }, 'outbox poller queued unconfirmed decisions');
    return ok ? rows.rows.length : 0;
  }
}
