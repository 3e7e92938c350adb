import type { Logger } from '../shared/logger.js';
import { writeCheckpoint } from '../shared/store/checkpoints.js';
import type { Db } from '../shared/store/db.js';
import type { PipelineWorker } from './worker-contract.js';

/** Writes a checkpoint over all subjects' heads every `intervalMs` (when new events arrived). */
export class CheckpointPoller implements PipelineWorker {
  readonly name = 'checkpoint-poller';
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<unknown> | null = null;
  private stopped = false;

  constructor(private readonly options: { db: Db; logger: Logger; intervalMs: number }) {}

  async runOnce() {
    const cp = await writeCheckpoint(this.options.db);
    if (cp) this.options.logger.info({ checkpoint: cp.id, max_event_id: cp.max_event_id, subjects: cp.subjects, root_hash: cp.root_hash }, 'record checkpoint');
    return cp;
  }

  run(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const tick = () => {
        if (this.stopped) return resolve();
        this.inFlight = this.runOnce().catch((e: unknown) => this.options.logger.warn({ err: (e as Error).message }, 'checkpoint failed'));
        void this.inFlight.finally(() => {
          this.inFlight = null;
          if (this.stopped) resolve();
          else this.timer = setTimeout(tick, this.options.intervalMs);
        });
      };
      signal.addEventListener('abort', () => void this.close().then(resolve), { once: true });
      this.timer = setTimeout(tick, this.options.intervalMs);
    });
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }
}
