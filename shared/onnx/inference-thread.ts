import { parentPort, workerData } from 'node:worker_threads';
import type { BatchRunner, CreateRunner, RunnerOptions } from './batch-runner.js';

/** Hosts one runner module in a worker thread; the pool posts batches and gets results back. */
interface Request {
  id: number;
  inputs: unknown[];
}

const { runnerModule, options } = workerData as { runnerModule: string; options: RunnerOptions };
const port = parentPort;
if (!port) throw new Error('inference-thread must run in a worker thread');

let runner: BatchRunner<unknown, unknown>;
try {
  const mod = (await import(runnerModule)) as { createRunner?: CreateRunner<unknown, unknown> };
  if (typeof mod.createRunner !== 'function') throw new Error(`${runnerModule} does not export createRunner`);
  runner = await mod.createRunner(options);
  port.postMessage({ ready: true });
} catch (e) {
  port.postMessage({ ready: false, error: (e as Error).message });
  throw e;
}

port.on('message', (msg: Request | { close: true }) => {
  if ('close' in msg) {
    void Promise.resolve(runner.close?.()).finally(() => port.close());
    return;
  }
  runner.runBatch(msg.inputs).then(
    (outputs) => port.postMessage({ id: msg.id, outputs }),
    (e: unknown) => port.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
