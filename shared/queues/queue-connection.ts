import { Redis } from 'ioredis';

/**
 * Redis connections for BullMQ. Workers need `maxRetriesPerRequest: null` (blocking commands);
 * producers fail fast so an API request does not hang when Redis is down.
 */
export function createRedisConnection(url: string, role: 'worker' | 'producer'): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 2,
    enableReadyCheck: true,
    lazyConnect: false,
  });
}

export interface QueueContext {
  /** A shared producer connection. */
  connection: Redis;
  /** The BullMQ prefix; a hash tag (`{modpipe}`) keeps each queue's keys in one Cluster slot. */
  prefix: string;
}
