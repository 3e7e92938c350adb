import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { PrincipalService } from '../../shared/auth/principal-service.js';
import type { SessionService } from '../../shared/auth/sessions.js';
import { CaseMedia } from '../../shared/review/case-media.js';
import { CaseView } from '../../shared/review/case-view.js';
import { ReviewService } from '../../shared/review/review-service.js';
import type { Infrastructure } from '../../shared/wiring/infrastructure.js';
import { consoleRoutes } from '../console/console-routes.js';
import type { RouteAuth } from '../plugins/auth.js';
import { reviewRoutes } from './review.js';

export interface RegisteredRoute {
  method: string;
  url: string;
  auth: RouteAuth | false | undefined;
}

// Keyed by the HTTP server every encapsulated context of one app shares.
const registered = new WeakMap<object, RegisteredRoute[]>();

/** Every route of the review area, so a test can walk them all and none escapes the auth checks. */
export function reviewRoutesOf(app: FastifyInstance): readonly RegisteredRoute[] {
  return registered.get(app.server) ?? [];
}

/** Moderator review: the JSON API at `/v1/review` and the console at `/review`, sharing one service. */
export const reviewArea: FastifyPluginAsync<{ infra: Infrastructure; sessions: SessionService }> = async (app, { infra, sessions }) => {
  const list: RegisteredRoute[] = [];
  registered.set(app.server, list);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) list.push({ method, url: r.url, auth: r.config?.auth });
  });
  const review = new ReviewService({ db: infra.db, store: infra.store, dispatcher: infra.dispatcher });
  const view = new CaseView(infra.db);
  await app.register(reviewRoutes, { prefix: '/v1/review', review, view, media: new CaseMedia(infra.db) });
  await app.register(consoleRoutes, { prefix: '/review', principals: new PrincipalService(infra.db), sessions, view });
};
