import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { ApiError } from '../errors.js';

const DEFAULT_PER_MIN = 600;

/**
 * Per-principal rate limits: keyed by token id (a session by its principal), the limit read from
 * the token row (`rate_limit_per_min`). Counters live in Redis so a fleet of API processes shares
 * them. It runs at preParsing, after authentication (onRequest) and before a body is read.
 * Unauthenticated requests reach only public routes (health, search, docs) and are not limited here.
 */
export const rateLimitPlugin = fp<{ redis?: Redis; nameSpace: string }>(async (app, opts) => {
  await app.register(rateLimit, {
    global: true,
    hook: 'preParsing',
    timeWindow: 60_000,
    redis: opts.redis,
    nameSpace: opts.nameSpace,
    // Limits protect the service; a Redis outage should not also take down reads of the record.
    skipOnError: true,
    allowList: (req) => !req.principal,
    keyGenerator: (req) => (req.principal?.tokenId ? `token:${req.principal.tokenId}` : `principal:${req.principal?.id ?? req.ip}`),
    max: (req) => req.principal?.rateLimitPerMin ?? DEFAULT_PER_MIN,
    errorResponseBuilder: (_req, ctx) =>
      new ApiError(429, 'rate_limited', `rate limit of ${ctx.max} requests per minute reached; retry in ${ctx.after}`, { limit: ctx.max, retry_after: ctx.after }),
  });
});
