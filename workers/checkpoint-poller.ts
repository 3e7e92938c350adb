import type { Logger } from '../shared/logger.js';
import { writeCheckpoint } from '../shared/store/checkpoints.js';
import type { Db } from '../shared/store/db.js';
import { IntervalPoller } from './interval-poller.js';

/** Writes a checkpoint over all subjects' heads every `intervalMs` (when new events arrived). */
export class CheckpointPoller extends IntervalPoller {
  readonly name = 'checkpoint-poller';

  constructor(private readonly options: { db: Db; logger: Logger; intervalMs: number }) {
    super(options.intervalMs, options.logger);
  }

  async runOnce() {
    const cp = await writeCheckpoint(this.options.db);
    if (cp) this.options.logger.info({ checkpoint: cp.id, max_event_id: cp.max_event_id, subjects: cp.subjects, root_hash: cp.root_hash }, 'record checkpoint');
    return cp;
  }
}
