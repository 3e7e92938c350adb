import { UsageError } from '../command.js';
import { loadConfig } from '../../shared/config.js';
import { createLogger } from '../../shared/logger.js';
import { openInfrastructure } from '../../shared/wiring/infrastructure.js';
import { infrastructureChecks, startOpsServer } from '../../shared/wiring/ops-server.js';
import { runUntilSignalled } from '../../shared/wiring/process-lifecycle.js';
import { buildClassifier } from '../../shared/wiring/signals.js';
import { createWorkers, WORKER_KINDS, type WorkerKind } from '../../workers/start-workers.js';

export async function run(args: string[]): Promise<number> {
  const kind = args[0] as WorkerKind | undefined;
  if (!kind || !WORKER_KINDS.includes(kind)) throw new UsageError(`usage: modpipe worker <${WORKER_KINDS.join('|')}>`);
  const config = loadConfig();
  if (!config.DATABASE_URL) {
    throw new UsageError('a worker process shares the record with others: set DATABASE_URL (the embedded PGlite store serves one process; use `modpipe up` for that)');
  }
  const logger = createLogger(config.LOG_LEVEL, { process: `worker-${kind}` });
  const infra = await openInfrastructure(config, logger);
  // A model that fails to load ends the process: close what is open so it can exit with the reason.
  const classifier = kind === 'classify'
    ? await buildClassifier(config, logger, { db: infra.db, classifyQueue: infra.classifyQueue }).catch(async (e: unknown) => {
        await infra.close();
        throw e;
      })
    : undefined;
  const workers = await createWorkers([kind], infra, { classifier, lockDurationMs: config.LOCK_DURATION_MS });
  // Health, readiness and metrics on a port of the worker's own (WORKER_HTTP_PORT: 0 = free port, -1 = none).
  const modelCheck = {
    name: 'model',
    check: async () => {
      if (!classifier?.modelVersion) throw new Error('no classifier loaded');
    },
  };
  const ops = config.WORKER_HTTP_PORT < 0 ? null : await startOpsServer({
    host: config.HOST, port: config.WORKER_HTTP_PORT, registry: infra.metrics.registry, logger,
    checks: [...infrastructureChecks(infra), ...(kind === 'classify' ? [modelCheck] : [])],
  });
  logger.info({ kind, concurrency: kind === 'classify' ? config.CLASSIFY_CONCURRENCY : undefined, ops_url: ops?.url }, 'worker started');
  return runUntilSignalled(workers, {
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onStopped: async () => {
      await ops?.close();
      await classifier?.close();
      await infra.close();
    },
  });
}
