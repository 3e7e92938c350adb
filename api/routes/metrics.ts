import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';

/** Prometheus text format from this process's registry. */
export const metricsRoutes: FastifyPluginAsync<{ registry: Registry; auth: false | { roles: ['ops'] } }> = async (app, { registry, auth }) => {
  app.get('/metrics', { config: { auth }, schema: { hide: true } }, async (_req, reply) => {
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });
};
