import fastifyCookie from '@fastify/cookie';
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PrincipalService } from '../../shared/auth/principal-service.js';
import { allows, type Principal, type Role, type TokenScope } from '../../shared/auth/roles.js';
import { SESSION_COOKIE, type SessionService } from '../../shared/auth/sessions.js';

export interface RouteAuth {
  roles?: Role[];
  scopes?: TokenScope[];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Every route says who may call it; `false` marks a public route. */
    auth?: RouteAuth | false;
    /** Answers a refused request itself (the console shows its sign-in page instead of JSON). */
    onAuthFailure?: (req: FastifyRequest, reply: FastifyReply, status: 401 | 403, message: string) => FastifyReply;
  }
}

export interface AuthPluginOptions {
  principals: PrincipalService;
  /** Console sessions in signed cookies; without it only bearer tokens authenticate. */
  sessions?: { service: SessionService; secret: string };
}

/** Header the console sends on every state-changing request (see the CSRF note below). */
export const CSRF_HEADER = 'x-modpipe-console';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * One authentication model for the whole API: a bearer token (machines) or a signed session
 * cookie (console users) resolves to a principal; each route declares the roles and scopes it
 * needs. No declaration means admin only, so a forgotten declaration fails closed.
 *
 * CSRF: session cookies are SameSite=Strict, and a cookie-authenticated request that changes
 * something must also carry the CSRF_HEADER, which no cross-site form can send.
 */
export const authPlugin = fp<AuthPluginOptions>(async (app, opts) => {
  app.decorateRequest('principal', null);
  if (opts.sessions) await app.register(fastifyCookie, { secret: opts.sessions.secret });
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    // No route matched: the not-found handler answers 404, there is nothing to protect.
    if (!req.routeOptions.url) return;
    const auth = req.routeOptions.config.auth;
    if (auth === false) return;
    const fail = (status: 401 | 403, code: string, message: string) => {
      const custom = req.routeOptions.config.onAuthFailure;
      return custom ? custom(req, reply, status, message) : reply.code(status).send({ code, message });
    };
    const header = req.headers.authorization;
    let viaSession = false;
    if (header?.startsWith('Bearer ')) req.principal = await opts.principals.verifyToken(header.slice(7).trim());
    else if (opts.sessions && req.cookies?.[SESSION_COOKIE]) {
      const unsigned = req.unsignCookie(req.cookies[SESSION_COOKIE]);
      if (unsigned.valid && unsigned.value) req.principal = await opts.sessions.service.resolve(unsigned.value);
      viaSession = true;
    }
    if (!req.principal) {
      return fail(401, 'unauthenticated', header ? 'the token is invalid or revoked' : viaSession ? 'the session expired; sign in again' : 'this route needs a bearer token or a session');
    }
    if (viaSession && !SAFE_METHODS.has(req.method) && req.headers[CSRF_HEADER] !== '1') {
      return fail(403, 'csrf', `a session request that changes something must send the ${CSRF_HEADER}: 1 header`);
    }
    const need = auth ?? { roles: ['admin'] as Role[] };
    if (!allows(req.principal, need)) {
      return fail(403, 'forbidden', `needs role ${need.roles?.join(' or ') ?? 'any'}${need.scopes ? ` and scopes ${need.scopes.join(', ')}` : ''}`);
    }
  });
});
