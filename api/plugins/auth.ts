import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PrincipalService } from '../../shared/auth/principal-service.js';
import { allows, type Principal, type Role, type TokenScope } from '../../shared/auth/roles.js';

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
  }
}

/**
 * One authentication model for the whole API: a bearer token (machines) resolves to a principal;
 * each route declares the roles and scopes it needs. No declaration means admin only, so a
 * forgotten declaration fails closed.
 */
export const authPlugin = fp<{ principals: PrincipalService }>(async (app, opts) => {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const auth = req.routeOptions.config.auth;
    if (auth === false) return;
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) req.principal = await opts.principals.verifyToken(header.slice(7).trim());
    if (!req.principal) {
      return reply.code(401).send({ code: 'unauthenticated', message: header ? 'the token is invalid or revoked' : 'this route needs a bearer token' });
    }
    const need = auth ?? { roles: ['admin'] as Role[] };
    if (!allows(req.principal, need)) {
      return reply.code(403).send({ code: 'forbidden', message: `needs role ${need.roles?.join(' or ') ?? 'any'}${need.scopes ? ` and scopes ${need.scopes.join(', ')}` : ''}` });
    }
  });
});
