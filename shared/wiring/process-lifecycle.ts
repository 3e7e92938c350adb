import type { Logger } from '../logger.js';
import type { PipelineWorker } from '../../workers/worker-contract.js';

export interface LifecycleOptions {
  logger: Logger;
  shutdownTimeoutMs: number;
  /** Closes what the workers share (queues, store, Redis) after they stopped. */
  onStopped?: () => Promise<void>;
}

/**
 * Runs workers until SIGTERM/SIGINT, then lets in-flight jobs finish within a bound. A second
 * signal, or the bound passing, exits at once (jobs in flight are retried elsewhere: BullMQ's
 * stalled-job check hands them to another worker).
 */
export async function runUntilSignalled(workers: readonly PipelineWorker[], options: LifecycleOptions): Promise<number> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      options.logger.warn({ signal: sig }, 'second signal: exiting now');
      process.exit(130);
    }
    options.logger.info({ signal: sig }, 'stopping: finishing in-flight jobs');
    controller.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const running = Promise.all(workers.map((w) => w.run(controller.signal)));
  await new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
  const timer = setTimeout(() => {
    options.logger.error({ timeoutMs: options.shutdownTimeoutMs }, 'shutdown took too long: exiting');
    process.exit(1);
  }, options.shutdownTimeoutMs);
  timer.unref();
  await Promise.allSettled([running, ...workers.map((w) => w.close())]);
  await options.onStopped?.();
  clearTimeout(timer);
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  options.logger.info('stopped cleanly');
  return 0;
}
