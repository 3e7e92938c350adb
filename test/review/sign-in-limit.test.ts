import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { SIGN_IN_ATTEMPTS_PER_MIN } from '../../api/console/console-routes.js';
import type { Infrastructure } from '../../shared/wiring/infrastructure.js';
import { openTestDb, type TestDb } from '../support/test-db.js';
import { startTestRedis, type TestRedis } from '../support/test-redis.js';
import { openReviewApp } from './review-app.js';
import { createUser } from './review-fixture.js';

describe('console sign-in', () => {
  let redis: TestRedis;
  let t: TestDb;
  let infra: Infrastructure;
  let app: FastifyInstance;
  beforeAll(async () => {
    redis = await startTestRedis();
    t = await openTestDb('pglite');
    ({ infra, app } = await openReviewApp(t.db, redis.url, redis.prefix()));
    await createUser(t.db, 'ana', ['moderator']);
  });
  afterAll(async () => {
    await app?.close();
    await infra?.close();
    await t?.drop();
    await redis?.stop();
  });

  it('slows password guessing: past the per-minute attempts from one address it answers 429', async () => {
    const attempt = (password: string) => app.inject({ method: 'POST', url: '/review/sign-in', payload: { user: 'ana', password } });
    for (let i = 0; i < SIGN_IN_ATTEMPTS_PER_MIN; i++) expect((await attempt(`guess-${i}`)).statusCode).toBe(401);
    const limited = await attempt('correct horse battery');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'rate_limited' });
  });
});
