import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { PrincipalService } from '../shared/auth/principal-service.js';
import { resolveSessionSecret } from '../shared/auth/session-secret.js';
import { SessionService } from '../shared/auth/sessions.js';
import type { Infrastructure } from '../shared/wiring/infrastructure.js';
import { errorHandler } from './errors.js';
import { openApiPlugin } from './plugins/openapi.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { adminQueuesRoutes } from './routes/admin-queues.js';
import { banksRoutes } from './routes/banks.js';
import { metricsRoutes } from './routes/metrics.js';
import { reportsRoutes } from './routes/reports.js';
import { rescansRoutes } from './routes/rescans.js';
import { authPlugin } from './plugins/auth.js';
import { healthRoutes, type ReadinessCheck } from './routes/health.js';
import { itemsRoutes } from './routes/items.js';
import { reviewArea } from './routes/review-area.js';
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
    // The process logger, so request logs and job logs share one stream and the `trace` key.
    ...(logger ? { loggerInstance: infra.logger.child({ component: 'api' }) as FastifyBaseLogger } : { logger: false }),
    bodyLimit: infra.config.API_BODY_LIMIT_BYTES,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: 'x-request-id',
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));

  const sessions = new SessionService(infra.db);
  await app.register(authPlugin, { principals: new PrincipalService(infra.db), sessions: { service: sessions, secret: await resolveSessionSecret(infra.config) } });
  await app.register(rateLimitPlugin, { redis: infra.redis, nameSpace: `${infra.config.QUEUE_PREFIX}:rate-limit:` });
  await app.register(openApiPlugin);
  await app.register(healthRoutes, {
    checks: [
      { name: 'store', check: async () => void (await infra.db.query('SELECT 1')) },
      { name: 'redis', check: async () => void (await infra.redis.ping()) },
      ...readiness,
    ],
  });
  if (infra.postgresIndex) await app.register(searchRoutes, { index: infra.postgresIndex });
  await app.register(itemsRoutes, { prefix: '/v1', infra });
  await app.register(reportsRoutes, { prefix: '/v1', infra });
  await app.register(rescansRoutes, { prefix: '/v1', infra });
  await app.register(banksRoutes, { prefix: '/v1', db: infra.db });
  await app.register(metricsRoutes, { registry: infra.metrics.registry, auth: { roles: ['ops'] } });
  await app.register(adminQueuesRoutes, { queues: [infra.ingestQueue.queue, infra.classifyQueue.queue, infra.takedownQueue.queue] });
  await app.register(reviewArea, { infra, sessions });
  return app;
}
