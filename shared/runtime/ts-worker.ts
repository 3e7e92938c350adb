import { Worker, type WorkerOptions } from 'node:worker_threads';

const bootstrap = new URL('./ts-worker-bootstrap.mjs', import.meta.url);

/**
 * Starts a worker thread running a TypeScript module. The module reads its own data from
 * `workerData` as usual; the bootstrap only needs `__moduleUrl`.
 */
export function startTsWorker(moduleUrl: URL, options: WorkerOptions & { workerData?: Record<string, unknown> } = {}): Worker {
  return new Worker(bootstrap, {
    ...options,
    workerData: { ...(options.workerData ?? {}), __moduleUrl: moduleUrl.href },
  });
}
