import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { reviewRoutesOf } from '../../api/routes/review-area.js';
import { PrincipalService } from '../../shared/auth/principal-service.js';
import type { Infrastructure } from '../../shared/wiring/infrastructure.js';
import { backends, openTestDb, type TestDb } from '../support/test-db.js';
import { startTestRedis, type TestRedis } from '../support/test-redis.js';
import { createUser, seedCase } from './review-fixture.js';
import { openReviewApp, signIn } from './review-app.js';
import { ReviewService } from '../../shared/review/review-service.js';

/** Routes anyone may call: the sign-in form, signing out, and the console's static files. */
const PUBLIC = ['GET /review/sign-in', 'HEAD /review/sign-in', 'POST /review/sign-in', 'POST /review/sign-out', 'GET /review/assets/:file', 'HEAD /review/assets/:file'];

describe.each(backends())('review routes on %s refuse whoever may not call them', (backend) => {
  let redis: TestRedis;
  let t: TestDb;
  let infra: Infrastructure;
  let app: FastifyInstance;
  let caseId: string;
  let opsToken: string;
  let moderatorToken: string;
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    redis = await startTestRedis();
    t = await openTestDb(backend);
    ({ infra, app } = await openReviewApp(t.db, redis.url, redis.prefix()));
    caseId = await seedCase({ store: infra.store, review: new ReviewService({ db: t.db, store: infra.store, dispatcher: infra.dispatcher }) }, { channel_id: 'chan-auth' });
    const principals = new PrincipalService(t.db);
    await principals.ensurePrincipal('ops-bot', 'machine', ['ops']);
    opsToken = (await principals.createToken('ops-bot', ['read'])).token;
    await principals.ensurePrincipal('mod-bot', 'machine', ['moderator']);
    moderatorToken = (await principals.createToken('mod-bot', ['read'])).token;
    for (const [id, role] of [['pat', 'platform'], ['oscar', 'ops'], ['mia', 'moderator'], ['tom', 'triage']] as const) {
      await createUser(t.db, id, [role]);
      cookies[id] = await signIn(app, id);
    }
  });
  afterAll(async () => {
    await app?.close();
    await infra?.close();
    await t?.drop();
    await redis?.stop();
  });

  const routes = () => reviewRoutesOf(app).filter((r) => !PUBLIC.includes(`${r.method} ${r.url}`));
  const url = (u: string) => u.replace(':id', caseId).replace(':index', '0').replace(':channelId', 'chan-auth');
  const call = (method: string, u: string, headers: Record<string, string> = {}) =>
    app.inject({ method: method as 'GET', url: url(u), headers: { 'x-modpipe-console': '1', ...headers }, ...(method === 'POST' ? { payload: {} } : {}) });

  it('knows every route of the area, and the only public ones are sign-in, sign-out and assets', () => {
    const all = reviewRoutesOf(app);
    expect(all.length).toBeGreaterThan(15);
    expect(all.filter((r) => r.auth === false).map((r) => `${r.method} ${r.url}`).sort()).toEqual([...PUBLIC].sort());
    // Every other route names its roles; none falls back to the admin-only default by accident.
    for (const r of routes()) expect(r.auth, `${r.method} ${r.url}`).toMatchObject({ roles: expect.any(Array) });
  });

  it('answers 401 without a session or token, and with a forged or unknown one', async () => {
    for (const r of routes()) {
      for (const headers of <Record<string, string>[]>[{}, { authorization: 'Bearer mp_forged' }, { cookie: 'modpipe_session=mia|9999999999999|x.forgedsignature' }]) {
        const res = await call(r.method, r.url, headers);
        expect(res.statusCode, `${r.method} ${r.url} ${JSON.stringify(headers)}`).toBe(401);
      }
    }
  });

  it('answers 403 to a platform or ops principal, by session or by token', async () => {
    for (const r of routes()) {
      for (const headers of <Record<string, string>[]>[{ cookie: cookies.pat! }, { cookie: cookies.oscar! }, { authorization: `Bearer ${opsToken}` }]) {
        const res = await call(r.method, r.url, headers);
        expect(res.statusCode, `${r.method} ${r.url} ${JSON.stringify(headers)}`).toBe(403);
      }
    }
  });

  it('lets a moderator through every route (by session and by token), and keeps triage off the deciders-only ones', async () => {
    for (const r of routes()) {
      for (const headers of <Record<string, string>[]>[{ cookie: cookies.mia! }, { authorization: `Bearer ${moderatorToken}` }]) {
        const res = await call(r.method, r.url, headers);
        expect([401, 403], `${r.method} ${r.url}: ${res.body.slice(0, 200)}`).not.toContain(res.statusCode);
      }
      const triage = await call(r.method, r.url, { cookie: cookies.tom! });
      const decidersOnly = (r.auth as { roles: string[] }).roles.every((role) => role !== 'triage');
      expect(triage.statusCode === 403, `${r.method} ${r.url} for triage`).toBe(decidersOnly);
    }
  });

  it('refuses a session request that changes something without the console header (CSRF)', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/review/claim', headers: { cookie: cookies.mia! }, payload: {} });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'csrf' });
  });

  it('shows the sign-in page (401) to a browser without a session, and refuses a wrong password', async () => {
    const page = await app.inject({ method: 'GET', url: '/review' });
    expect(page.statusCode).toBe(401);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('Sign in to review');
    const bad = await app.inject({ method: 'POST', url: '/review/sign-in', payload: { user: 'mia', password: 'wrong password!' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.cookies).toHaveLength(0);
    const forbidden = await app.inject({ method: 'GET', url: '/review', headers: { cookie: cookies.pat! } });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.body).toContain('Not for your role');
  });
});
