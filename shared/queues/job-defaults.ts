import type { JobsOptions } from 'bullmq';

/**
 * Infrastructure errors are retried with exponential backoff; completed jobs are trimmed so
 * Redis memory stays bounded; failed jobs are kept (bounded) so operators can list and retry them.
 */
export function jobDefaults(attempts: number, backoffMs: number): JobsOptions {
  return {
    attempts,
    backoff: { type: 'exponential', delay: backoffMs },
    removeOnComplete: { age: 3600, count: 5_000 },
    removeOnFail: { age: 14 * 24 * 3600, count: 50_000 },
  };
}

/** BullMQ priorities: lower runs first. User reports, then live ingest, then rescans and sweeps. */
export const PRIORITY = { report: 1, live: 5, rescan: 10, sweep: 20 } as const;
export type PriorityClass = keyof typeof PRIORITY;
