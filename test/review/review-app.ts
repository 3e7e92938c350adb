import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.js';
import { loadConfig } from '../../shared/config.js';
import { createLogger } from '../../shared/logger.js';
import { openInfrastructure, type Infrastructure } from '../../shared/wiring/infrastructure.js';

export const PASSWORD = 'correct horse battery';

/** Signs a user in through the console's form and returns the Cookie header to send. */
export async function signIn(app: FastifyInstance, user: string, password = PASSWORD): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/review/sign-in', payload: { user, password, next: '/review' } });
  if (res.statusCode !== 303) throw new Error(`sign-in of ${user} answered ${res.statusCode}`);
  const cookie = res.cookies.find((c) => c.name === 'modpipe_session');
  if (!cookie) throw new Error('no session cookie');
  return `${cookie.name}=${cookie.value}`;
}

/** The API on a real store and Redis, without workers (nothing consumes the queues). */
export async function openReviewApp(db: Infrastructure['db'], redisUrl: string, prefix: string): Promise<{ infra: Infrastructure; app: FastifyInstance }> {
  const config = loadConfig({ QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent', SESSION_SECRET: 'test-secret-test-secret-test-secret!' });
  const infra = await openInfrastructure(config, createLogger('silent'), { db, redisUrl });
  const app = await buildApp({ infra });
  return { infra, app };
}
