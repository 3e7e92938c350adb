import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/**
 * The OpenAPI document, generated from the routes' zod schemas, and its UI at `/docs`. Register
 * before the routes so every route is collected.
 */
export const openApiPlugin = fp(async (app) => {
  await app.register(swagger, {
    openapi: {
      info: { title: 'modpipe API', version: '1', description: 'Platform API: push items, report them, rescan, read an item\'s status. Errors are `{ code, message, details? }`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token from `modpipe tokens create`' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  // The docs are public: the UI's own routes are marked so before they are added.
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), auth: false } as typeof route.config;
    });
    await docs.register(swaggerUi, { routePrefix: '/docs' });
  });
});
