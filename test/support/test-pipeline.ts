import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.js';
import { PrincipalService } from '../../shared/auth/principal-service.js';
import type { Classifier } from '../../shared/classify/classifier.js';
import { loadConfig } from '../../shared/config.js';
import { createLogger } from '../../shared/logger.js';
import type { Db } from '../../shared/store/db.js';
import { openInfrastructure, type Infrastructure } from '../../shared/wiring/infrastructure.js';
import { buildClassifier, type ClassifierDeps } from '../../shared/wiring/signals.js';
import { createWorkers, type WorkerKind } from '../../workers/start-workers.js';
import type { PipelineWorker } from '../../workers/worker-contract.js';

export interface TestPipeline {
  infra: Infrastructure;
  app: FastifyInstance;
  classifier: Classifier;
  /** A platform token with items:write, reports:write, rescans:write and read. */
  platformToken: string;
  stop(): Promise<void>;
}

export interface TestPipelineOptions {
  db: Db;
  redisUrl: string;
  prefix: string;
  workers?: WorkerKind[];
  env?: Record<string, string>;
  /** Passed to buildClassifier over the defaults (db and classify queue of this pipeline). */
  classifier?: ClassifierDeps;
}

/** The real pipeline in this process: real Redis, real store, real workers, the API via inject(). */
export async function startTestPipeline(o: TestPipelineOptions): Promise<TestPipeline> {
  const config = loadConfig({ ...process.env, QUEUE_PREFIX: o.prefix, LOG_LEVEL: 'silent', OUTBOX_POLL_MS: '200', BATCH_WAIT_MS: '2', ...o.env });
  const logger = createLogger(config.LOG_LEVEL);
  const infra = await openInfrastructure(config, logger, { db: o.db, redisUrl: o.redisUrl });
  const classifier = await buildClassifier(config, logger, { db: o.db, classifyQueue: infra.classifyQueue, ...o.classifier });
  const workers: PipelineWorker[] = await createWorkers(o.workers ?? ['ingest', 'classify', 'takedown'], infra, { classifier });
  const controller = new AbortController();
  const running = Promise.all(workers.map((w) => w.run(controller.signal)));
  const app = await buildApp({ infra });
  const principals = new PrincipalService(o.db);
  await principals.ensurePrincipal('platform-test', 'machine', ['platform']);
  const { token } = await principals.createToken('platform-test', ['items:write', 'reports:write', 'rescans:write', 'read']);
  return {
    infra, app, classifier, platformToken: token,
    async stop() {
      controller.abort();
      await Promise.all(workers.map((w) => w.close()));
      await running;
      await app.close();
      await classifier.close();
      await infra.close();
    },
  };
}
