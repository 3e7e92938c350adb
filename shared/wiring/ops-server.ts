import Fastify from 'fastify';
import type { Registry } from 'prom-client';
import { healthRoutes, type ReadinessCheck } from '../../api/routes/health.js';
import { metricsRoutes } from '../../api/routes/metrics.js';
import type { Logger } from '../logger.js';
import type { Infrastructure } from './infrastructure.js';

export interface OpsServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  checks: ReadinessCheck[];
  registry: Registry;
  logger: Logger;
}

export interface OpsServer {
  url: string;
  close(): Promise<void>;
}

/** The dependencies every process has: the record and Redis. */
export function infrastructureChecks(infra: Infrastructure): ReadinessCheck[] {
  return [
    { name: 'store', check: async () => void (await infra.db.query('SELECT 1')) },
    { name: 'redis', check: async () => void (await infra.redis.ping()) },
  ];
}

/**
 * A worker process's small HTTP server: `/healthz`, `/readyz` and `/metrics` for orchestrators
 * and Prometheus. Unauthenticated, so bind it to an internal interface (HOST).
 */
export async function startOpsServer(o: OpsServerOptions): Promise<OpsServer> {
  const app = Fastify({ logger: false });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));
  await app.register(healthRoutes, { checks: o.checks });
  await app.register(metricsRoutes, { registry: o.registry, auth: false });
  const url = await app.listen({ host: o.host, port: o.port });
  return { url, close: () => app.close() };
}
