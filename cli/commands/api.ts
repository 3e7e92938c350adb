import { buildApp } from '../../api/app.js';
import { UsageError } from '../command.js';
import { loadConfig } from '../../shared/config.js';
import { createLogger } from '../../shared/logger.js';
import { openInfrastructure } from '../../shared/wiring/infrastructure.js';
import { runUntilSignalled } from '../../shared/wiring/process-lifecycle.js';

export async function run(): Promise<number> {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new UsageError('the api process shares the record with workers: set DATABASE_URL (or use `modpipe up`)');
  const logger = createLogger(config.LOG_LEVEL, { process: 'api' });
  const infra = await openInfrastructure(config, logger);
  const app = await buildApp({ infra, logger: true });
  const url = await app.listen({ host: config.HOST, port: config.PORT });
  logger.info({ url }, 'api listening');
  return runUntilSignalled([], { logger, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS, onStopped: async () => {
    await app.close();
    await infra.close();
  } });
}
