import type { Redis } from 'ioredis';

/**
 * Classify workers announce the model version they classify with; ingest reads it to skip content
 * already classified by that version without loading any model itself.
 */
const key = (prefix: string) => `${prefix}:model-version`;

export async function announceModelVersion(redis: Redis, prefix: string, version: string): Promise<void> {
  await redis.set(key(prefix), version);
}

export async function currentModelVersion(redis: Redis, prefix: string): Promise<string | null> {
  return redis.get(key(prefix));
}
