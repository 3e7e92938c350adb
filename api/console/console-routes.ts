import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PrincipalService } from '../../shared/auth/principal-service.js';
import { SESSION_COOKIE, type SessionService } from '../../shared/auth/sessions.js';
import { itemIdSchema } from '../../shared/items/item-schema.js';
import type { CaseView } from '../../shared/review/case-view.js';
import { can, REVIEW_ROLES } from '../../shared/review/review-permissions.js';
import { channelPage, consolePage, forbiddenPage, signInPage } from './pages.js';

export interface ConsoleRoutesOptions {
  principals: PrincipalService;
  sessions: SessionService;
  view: CaseView;
}

const ASSETS: Record<string, string> = { 'console.js': 'text/javascript', 'channel.js': 'text/javascript', 'console.css': 'text/css' };
const assetDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');

export const SIGN_IN_ATTEMPTS_PER_MIN = 10;

/** Only paths inside the console are followed after sign-in, so `next` cannot send anyone elsewhere. */
const safeNext = (next: unknown) => (typeof next === 'string' && /^\/review(\/[\w./:@-]*)?$/.test(next) ? next : '/review');

/** A refused console page answers with HTML: the sign-in form (401) or an explanation (403). */
const htmlAuthFailure = (req: FastifyRequest, reply: FastifyReply, status: 401 | 403, message: string) =>
  reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(status === 401 ? signInPage({ next: req.url, error: req.cookies?.[SESSION_COOKIE] ? message : undefined }) : forbiddenPage(req.principal, message));

const page = { auth: { roles: REVIEW_ROLES }, onAuthFailure: htmlAuthFailure };

/**
 * `/review`: the moderator console. Server-rendered pages plus two small vanilla scripts that
 * talk to `/v1/review`; sign-in sets a signed, HttpOnly, SameSite=Strict session cookie.
 */
export const consoleRoutes: FastifyPluginAsyncZod<ConsoleRoutesOptions> = async (app, { principals, sessions, view }) => {
  // Plain HTML forms post urlencoded bodies; parsed here only, small.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8_192 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  const assets = new Map(await Promise.all(Object.keys(ASSETS).map(async (f) => [f, await readFile(path.join(assetDir, f))] as const)));

  app.get('/', { config: page }, async (req, reply) => reply.type('text/html; charset=utf-8').send(consolePage(req.principal!)));

  app.get('/channels/:channelId', { config: page, schema: { params: z.object({ channelId: itemIdSchema }) } }, async (req, reply) => {
    const p = req.principal!;
    const [{ items, item_count }, open] = await Promise.all([view.channelItems(req.params.channelId), view.openCasesOfChannel(req.params.channelId, can(p, 'see_escalated'))]);
    const html = channelPage(p, req.params.channelId, items, item_count, { canReverse: can(p, 'reverse'), bulkOpen: can(p, 'bulk') ? open.length : null });
    return reply.type('text/html; charset=utf-8').send(html);
  });

  app.get('/sign-in', { config: { auth: false }, schema: { querystring: z.object({ next: z.string().max(500).optional() }) } }, async (req, reply) =>
    reply.type('text/html; charset=utf-8').send(signInPage({ next: safeNext(req.query.next) })),
  );

  app.post(
    '/sign-in',
    {
      // Password guessing is slowed per client address, whoever it claims to be.
      config: { auth: false, rateLimit: { max: SIGN_IN_ATTEMPTS_PER_MIN, timeWindow: 60_000, keyGenerator: (req) => `sign-in:${req.ip}`, allowList: () => false } },
      schema: { body: z.object({ user: z.string().max(200), password: z.string().max(1_000), next: z.string().max(500).optional() }) },
    },
    async (req, reply) => {
      const { user, password } = req.body;
      const principal = user && password ? await principals.verifyPassword(user, password) : null;
      const session = principal ? await sessions.issue(principal.id) : null;
      if (!session) {
        req.log.info({ user: user.slice(0, 100) }, 'console sign-in refused');
        return reply.code(401).type('text/html; charset=utf-8').send(signInPage({ error: 'Unknown user or wrong password.', next: safeNext(req.body.next) }));
      }
      reply.setCookie(SESSION_COOKIE, session.value, { signed: true, httpOnly: true, sameSite: 'strict', secure: 'auto', path: '/', maxAge: session.maxAgeSec });
      return reply.redirect(safeNext(req.body.next), 303);
    },
  );

  // Signing out needs no principal: clearing one's own cookie is harmless whoever asks.
  app.post('/sign-out', { config: { auth: false } }, async (_req, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/review/sign-in', 303);
  });

  app.get('/assets/:file', { config: { auth: false }, schema: { params: z.object({ file: z.string().max(64) }) } }, async (req, reply) => {
    const body = assets.get(req.params.file);
    const type = ASSETS[req.params.file];
    if (!body || !type) return reply.code(404).send({ code: 'not_found', message: `no asset ${req.params.file}` });
    return reply.type(`${type}; charset=utf-8`).header('cache-control', 'no-cache').send(body);
  });
};
