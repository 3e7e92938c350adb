import type { Logger } from '../shared/logger.js';
import type { PipelineWorker } from './worker-contract.js';

/**
 * A poller (DESIGN §6.7): `runOnce` does one pass and is what tests call to step it; `run` repeats
 * it every `intervalMs` (a failed pass is logged and tried again next tick); `close` stops the
 * timer and waits for the pass in flight.
 */
export abstract class IntervalPoller implements PipelineWorker {
  abstract readonly name: string;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<unknown> | null = null;
  private stopped = false;

  protected constructor(
    private readonly intervalMs: number,
    protected readonly logger: Logger,
  ) {}

  abstract runOnce(): Promise<unknown>;

  run(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const tick = () => {
        if (this.stopped) return resolve();
        this.inFlight = this.runOnce().catch((e: unknown) => this.logger.warn({ err: (e as Error).message, poller: this.name }, 'poll failed; trying again next tick'));
        void this.inFlight.finally(() => {
          this.inFlight = null;
          if (this.stopped) resolve();
          else this.timer = setTimeout(tick, this.intervalMs);
        });
      };
      signal.addEventListener('abort', () => void this.close().then(resolve), { once: true });
      this.timer = setTimeout(tick, this.intervalMs);
    });
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }
}
