import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../../api/app.js';
import { loadConfig } from '../../shared/config.js';
import { createLogger } from '../../shared/logger.js';
import { openInfrastructure } from '../../shared/wiring/infrastructure.js';
import { runUntilSignalled } from '../../shared/wiring/process-lifecycle.js';
import { buildClassifier } from '../../shared/wiring/signals.js';
import { createWorkers } from '../../workers/start-workers.js';
import { demoModerator, demoToken, formatSummary, seedDemo, summarizeDemo, waitForDemo } from '../demo-run.js';

/** Everything in one process on embedded defaults: PGlite, a spawned Redis, the demo index. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { demo: { type: 'boolean', default: false }, 'exit-after-demo': { type: 'boolean', default: false }, 'log-stdout': { type: 'boolean', default: false } },
  });
  const config = loadConfig();
  // In a terminal the JSON log would bury the summary: it goes to a file, warnings still show.
  const logFile = values['log-stdout'] ? undefined : path.join(config.DATA_DIR, 'modpipe.log');
  const logger = createLogger(config.LOG_LEVEL, { process: 'up' }, { file: logFile });
  if (logFile) process.stdout.write(`modpipe: starting (JSON log: ${logFile}; --log-stdout to print it here)\n`);
  const infra = await openInfrastructure(config, logger);
  const classifier = await buildClassifier(config, logger, { db: infra.db, classifyQueue: infra.classifyQueue });
  const workers = await createWorkers(['ingest', 'classify', 'takedown'], infra, { classifier, lockDurationMs: config.LOCK_DURATION_MS });
  const app = await buildApp({ infra, logger: false });
  const address = await app.listen({ host: config.HOST, port: config.PORT });
  const baseUrl = address.replace('127.0.0.1', 'localhost');
  logger.info({ url: baseUrl, store: infra.db.kind, redis: infra.redisHandle.how }, 'modpipe is up');
  if (config.SWEEP_INTERVAL_MS > 0) {
    await infra.ingestQueue.queue.upsertJobScheduler('sweep-search-index', { every: config.SWEEP_INTERVAL_MS }, {
      name: 'sweep',
      data: { kind: 'sweep', name: 'search-index', cursor: null, page_size: config.SWEEP_PAGE_SIZE, force: false },
    });
  }

  const lifecycle = runUntilSignalled(workers, {
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onStopped: async () => {
      await app.close();
      await classifier.close();
      await infra.close();
    },
  });

  if (values.demo) {
    const items = await seedDemo(infra);
    logger.info({ items: items.length }, 'demo corpus loaded into the search index; sweeping it');
    const done = await waitForDemo(infra, items, 180_000);
    if (!done) logger.warn('the demo did not finish within 3 minutes; the summary shows what is done so far');
    const token = await demoToken(infra);
    process.stdout.write(formatSummary(await summarizeDemo(infra, items), baseUrl, token, await demoModerator(infra)));
    if (values['exit-after-demo']) process.kill(process.pid, 'SIGTERM');
  } else {
    process.stdout.write(`modpipe is up: ${baseUrl}/search?q=  (Ctrl-C stops)\n`);
  }
  return lifecycle;
}
