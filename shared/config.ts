import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const intFrom = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

/** Every environment variable modpipe reads; README's configuration table mirrors this. */
export const configSchema = z.object({
  DATA_DIR: z.string().default('.modpipe'),
  DATABASE_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().optional(),
  QUEUE_PREFIX: z.string().min(1).default('{modpipe}'),
  HOST: z.string().default('127.0.0.1'),
  PORT: intFrom(8080),
  /** Health/metrics port of worker processes (0 = pick a free one, -1 = none). */
  WORKER_HTTP_PORT: z.coerce.number().int().min(-1).default(0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TEXT_MODEL: z.string().default('models/modpipe-text'),
  IMAGE_MODEL: z.string().default('models/nsfw-mobilenet-v2'),
  RULES_FILE: z.string().default('rules/default-rules.json'),
  SEARCH_INDEX: z.enum(['postgres', 'http']).default('postgres'),
  SEARCH_INDEX_URL: z.string().url().optional(),
  SEARCH_INDEX_SECRET: z.string().min(16).optional(),
  CLASSIFY_CONCURRENCY: intFrom(64, 1),
  TAKEDOWN_CONCURRENCY: intFrom(16, 1),
  INGEST_CONCURRENCY: intFrom(2, 1),
  INFERENCE_THREADS: intFrom(Math.max(1, os.availableParallelism() - 1), 1),
  BATCH_SIZE: intFrom(64, 1),
  BATCH_WAIT_MS: intFrom(5, 0),
  SWEEP_PAGE_SIZE: intFrom(500, 1),
  SWEEP_INTERVAL_MS: intFrom(0),
  OUTBOX_POLL_MS: intFrom(2_000, 100),
  /** How often a takedown process writes a checkpoint hash over all subjects' chain heads. */
  CHECKPOINT_INTERVAL_MS: intFrom(60_000, 1_000),
  SHUTDOWN_TIMEOUT_MS: intFrom(30_000, 100),
  /** BullMQ job lock; a killed worker's jobs return to the queue after about this long. */
  LOCK_DURATION_MS: intFrom(30_000, 1_000),
  /** Signs console session cookies; when unset, one is generated into DATA_DIR/session-secret and reused. */
  SESSION_SECRET: z.string().min(32).optional(),
  /** Distinct reporters after which a reported item goes to review whatever its verdict. */
  REPORT_REVIEW_THRESHOLD: intFrom(3, 1),
  /** Items per rescan fan-out page (one ingest job each). */
  RESCAN_PAGE_SIZE: intFrom(500, 1),
  /** Largest request body the API reads; bigger ones are answered 413. */
  API_BODY_LIMIT_BYTES: intFrom(16 * 1024 * 1024, 1_024),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`DATABASE_URL=`) means unset, as shells and compose files use it.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(set);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  if (parsed.data.SEARCH_INDEX === 'http' && (!parsed.data.SEARCH_INDEX_URL || !parsed.data.SEARCH_INDEX_SECRET)) {
    throw new ConfigError('SEARCH_INDEX=http needs SEARCH_INDEX_URL and SEARCH_INDEX_SECRET');
  }
  return { ...parsed.data, DATA_DIR: path.resolve(parsed.data.DATA_DIR) };
}
