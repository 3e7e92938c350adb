import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { BENIGN_TEXT, PHISHING_TEXT, post } from '../support/items.js';
import { openTestDb, type TestDb } from '../support/test-db.js';
import { startTestPipeline, type TestPipeline } from '../support/test-pipeline.js';
import { startTestRedis, type TestRedis } from '../support/test-redis.js';
import { bearer, tokenFor } from '../support/tokens.js';

const BODY_LIMIT = 256 * 1024;

describe('the platform API', () => {
  let redis: TestRedis;
  let t: TestDb;
  let p: TestPipeline;

  beforeAll(async () => {
    redis = await startTestRedis();
    t = await openTestDb('pglite');
    p = await startTestPipeline({
      db: t.db, redisUrl: redis.url, prefix: redis.prefix(),
      env: { TEXT_MODEL: 'none', IMAGE_MODEL: 'none', REPORT_REVIEW_THRESHOLD: '3', API_BODY_LIMIT_BYTES: String(BODY_LIMIT) },
    });
  });
  afterAll(async () => {
    await p?.stop();
    await t?.drop();
    await redis?.stop();
  });

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, token: string | null = p.platformToken) =>
    p.app.inject({ method, url, headers: token ? bearer(token) : {}, ...(payload === undefined ? {} : { payload: payload as object }) });
  const pushed = async (...items: ReturnType<typeof post>[]) => {
    expect((await call('POST', '/v1/items', { items })).statusCode).toBe(202);
    await eventually(async () => {
      const r = await t.db.query('SELECT 1 FROM subject_status WHERE subject_id = ANY($1::text[]) AND last_verdict IS NOT NULL', [items.map((i) => i.id)]);
      return r.rows.length === items.length;
    }, 20_000, 'verdicts');
  };

  describe('GET /v1/items/:id', () => {
    it('answers the current status: delisted and where, last verdict, full history', async () => {
      const bad = post({ text: `${PHISHING_TEXT} ${randomUUID().slice(0, 6)}` });
      await pushed(bad);
      await eventually(async () => (await call('GET', `/v1/items/${bad.id}`)).json().visibility.delisted_global === true, 20_000, 'takedown');
      const res = await call('GET', `/v1/items/${bad.id}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        id: bad.id,
        item: { kind: 'post', channel_id: 'chan-news' },
        visibility: { visible: false, delisted_global: true, delisted_in: [], index: { exists: true, delisted_global: true } },
        last_verdict: { verdict: 'takedown', category: 'scam', model_version: p.classifier.modelVersion },
        open_case: null,
        reports: { count: 0 },
      });
      expect(body.events.map((e: { type: string }) => e.type)).toEqual(['ingested', 'classified', 'takedown']);
      expect(body.last_verdict.scores).toEqual(expect.any(Object));
    });

    it('answers 404 for an unknown item and 400 for a malformed id', async () => {
      expect((await call('GET', '/v1/items/never-seen')).json()).toMatchObject({ code: 'not_found' });
      const bad = await call('GET', `/v1/items/${encodeURIComponent('no spaces allowed')}`);
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/ids use letters/) });
    });
  });

  describe('POST /v1/reports', () => {
    it('aggregates reports: one reporter counts once, the first report classifies, the threshold opens review whatever the verdict', async () => {
      const fine = post({ text: `${BENIGN_TEXT} ${randomUUID().slice(0, 6)}` });
      await pushed(fine);
      const report = (reporter: string, reason = 'scam') => call('POST', '/v1/reports', { item_id: fine.id, reporter_id: reporter, reason, text: 'looks like a scam' });

      const first = await report('u1');
      expect(first.statusCode).toBe(202);
      expect(first.json()).toMatchObject({ report_count: 1, counted: true, classification_queued: true, review_opened: false });
      // Reported items are classified at top priority, again even though the content was classified before.
      await eventually(async () => {
        const r = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE subject_id = $1 AND type = 'classified'`, [fine.id]);
        return r.rows[0]!.n === 2;
      }, 20_000, 're-classification');
      const again = (await report('u1')).json();
      expect(again).toMatchObject({ report_count: 1, counted: false, classification_queued: false, review_opened: false });
      expect((await report('u2', 'spam')).json()).toMatchObject({ report_count: 2, review_opened: false });
      expect((await report('u3')).json()).toMatchObject({ report_count: 3, counted: true, review_opened: true, classification_queued: false });
      expect((await report('u4')).json()).toMatchObject({ report_count: 4, review_opened: false });

      const status = (await call('GET', `/v1/items/${fine.id}`)).json();
      expect(status.last_verdict.verdict).toBe('allow');
      expect(status.open_case).toMatchObject({ state: 'open', category: 'scam' });
      expect(status.reports.count).toBe(4);
      const types = status.events.map((e: { type: string }) => e.type);
      expect(types.filter((x: string) => x === 'report')).toHaveLength(5);
      expect(types.filter((x: string) => x === 'review_opened')).toHaveLength(1);
    });

    it('refuses a reason outside the policy labels, an unknown item, and a token without reports:write', async () => {
      const item = post();
      await pushed(item);
      const badReason = await call('POST', '/v1/reports', { item_id: item.id, reporter_id: 'u1', reason: 'boring' });
      expect(badReason.statusCode).toBe(400);
      expect(badReason.json()).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/reason/) });
      const unknown = await call('POST', '/v1/reports', { item_id: 'nobody-pushed-this', reporter_id: 'u1', reason: 'spam' });
      expect(unknown.statusCode).toBe(404);
      const readOnly = await tokenFor(t.db, ['platform'], ['read']);
      const forbidden = await call('POST', '/v1/reports', { item_id: item.id, reporter_id: 'u1', reason: 'spam' }, readOnly);
      expect(forbidden.statusCode).toBe(403);
      expect(forbidden.json()).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/reports:write/) });
      expect((await call('POST', '/v1/reports', { item_id: item.id, reporter_id: 'u1', reason: 'spam' }, null)).statusCode).toBe(401);
    });
  });

  describe('auth, limits and errors on every platform route', () => {
    const routes: [method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown][] = [
      ['POST', '/v1/items', { items: [post()] }],
      ['GET', '/v1/items/x1'],
      ['POST', '/v1/reports', { item_id: 'x1', reporter_id: 'u', reason: 'spam' }],
      ['POST', '/v1/rescans', { scope: { items: ['x1'] }, reason: 'r' }],
      ['GET', `/v1/rescans/${randomUUID()}`],
      ['DELETE', `/v1/rescans/${randomUUID()}`],
    ];

    it('answers 401 without a token or with a wrong one, as JSON with a code and a message', async () => {
      for (const [method, url, body] of routes) {
        for (const token of [null, 'mp_wrong']) {
          const res = await call(method, url, body, token);
          expect(res.statusCode, `${method} ${url}`).toBe(401);
          expect(res.json()).toMatchObject({ code: 'unauthenticated', message: expect.any(String) });
        }
      }
    });

    it('answers 403 to a token without the route\'s scope or role', async () => {
      const noScopes = await tokenFor(t.db, ['platform'], []);
      const moderator = await tokenFor(t.db, ['moderator'], ['items:write', 'reports:write', 'rescans:write', 'read']);
      for (const [method, url, body] of routes) {
        expect((await call(method, url, body, noScopes)).statusCode, `${method} ${url}`).toBe(403);
        if (url !== '/v1/items/x1') expect((await call(method, url, body, moderator)).statusCode, `${method} ${url}`).toBe(403);
      }
    });

    it('answers 400 with the reason for a malformed body', async () => {
      const cases: [string, unknown, RegExp][] = [
        ['/v1/items', { items: 'nope' }, /items/],
        ['/v1/reports', { item_id: 'x1', reporter_id: 'u' }, /reason/],
        ['/v1/rescans', { scope: { planets: ['mars'] }, reason: 'r' }, /scope/],
        ['/v1/rescans', { scope: { all: true } }, /reason/],
      ];
      for (const [url, body, reason] of cases) {
        const res = await call('POST', url, body);
        expect(res.statusCode, url).toBe(400);
        expect(res.json()).toMatchObject({ code: 'bad_request', message: expect.stringMatching(reason) });
      }
      const notJson = await p.app.inject({ method: 'POST', url: '/v1/items', headers: { ...bearer(p.platformToken), 'content-type': 'application/json' }, payload: '{"items": [' });
      expect(notJson.statusCode).toBe(400);
      expect(notJson.json()).toMatchObject({ code: 'bad_request', message: expect.any(String) });
    });

    it('answers 413 as JSON to a body over the limit', async () => {
      const items = Array.from({ length: 20 }, () => post({ text: 'x'.repeat(20_000) }));
      const res = await call('POST', '/v1/items', { items });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ code: 'payload_too_large', message: expect.any(String) });
    });

    it('limits each token to its rate_limit_per_min, answering 429 as JSON, other tokens unaffected', async () => {
      const slow = await tokenFor(t.db, ['platform'], ['read'], 3);
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await call('GET', '/v1/items/never-seen', undefined, slow)).statusCode);
      expect(codes).toEqual([404, 404, 404, 429, 429]);
      const limited = await call('GET', '/v1/items/never-seen', undefined, slow);
      expect(limited.json()).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/3 requests per minute/) });
      expect(limited.headers['retry-after']).toBeDefined();
      expect((await call('GET', '/v1/items/never-seen')).statusCode).toBe(404);
    });
  });

  it('serves the OpenAPI document and its UI at /docs without a token', async () => {
    const doc = await p.app.inject({ method: 'GET', url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    const paths = Object.keys(doc.json().paths);
    expect(paths).toEqual(expect.arrayContaining(['/v1/items', '/v1/items/{id}', '/v1/reports', '/v1/rescans', '/v1/rescans/{id}']));
    expect(doc.json().paths['/v1/reports'].post.requestBody.content['application/json'].schema.properties.reason.enum).toContain('csam');
    expect((await p.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
  });
});
