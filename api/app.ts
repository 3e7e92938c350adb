import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { PrincipalService } from '../shared/auth/principal-service.js';
import type { Infrastructure } from '../shared/wiring/infrastructure.js';
import { errorHandler } from './errors.js';
import { authPlugin } from './plugins/auth.js';
import { healthRoutes, type ReadinessCheck } from './routes/health.js';
import { itemsRoutes } from './routes/items.js';
import { searchRoutes } from './routes/search.js';

export interface AppOptions {
  infra: Infrastructure;
  /** Extra readiness checks (a loaded model...). */
  readiness?: ReadinessCheck[];
  logger?: boolean;
}

/** Builds the API; `server.ts` listens, tests call `inject()`. */
export async function buildApp({ infra, readiness = [], logger = false }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ? { level: infra.config.LOG_LEVEL } : false,
    bodyLimit: 16 * 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: 'x-request-id',
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));

  await app.register(authPlugin, { principals: new PrincipalService(infra.db) });
  await app.register(healthRoutes, {
    checks: [
      { name: 'store', check: async () => void (await infra.db.query('SELECT 1')) },
      { name: 'redis', check: async () => void (await infra.redis.ping()) },
      ...readiness,
    ],
  });
  if (infra.postgresIndex) await app.register(searchRoutes, { index: infra.postgresIndex });
  await app.register(itemsRoutes, { prefix: '/v1', infra });
  return app;
}
