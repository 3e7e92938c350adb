import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../runtime/ts-worker.js';
import type { RunnerOptions } from './batch-runner.js';

export interface InferencePoolOptions {
  /** URL of a module exporting `createRunner` (see batch-runner.ts). */
  runnerModule: URL;
  modelDir: string;
  threads: number;
  /** Per-thread onnxruntime threads; threads x intraOp should not exceed the cores. */
  intraOpNumThreads?: number;
}

interface Slot {
  worker: Worker;
  alive: boolean;
  inFlight: Map<number, { resolve: (v: unknown[]) => void; reject: (e: Error) => void }>;
}

export class InferenceThreadError extends Error {
  override readonly name = 'InferenceThreadError';
}

/**
 * Worker threads that each host a model runner, so `session.run()` (which blocks its thread)
 * never stalls the event loop that renews BullMQ locks. A batch goes to the least busy thread;
 * a crashed thread fails its in-flight batches and is replaced.
 */
export class InferencePool<In, Out> {
  private slots: Slot[] = [];
  private nextId = 1;
  private closing = false;

  private constructor(private readonly options: InferencePoolOptions) {}

  static async start<In, Out>(options: InferencePoolOptions): Promise<InferencePool<In, Out>> {
    const pool = new InferencePool<In, Out>(options);
    pool.slots = await Promise.all(Array.from({ length: Math.max(1, options.threads) }, () => pool.spawn()));
    return pool;
  }

  private spawn(): Promise<Slot> {
    const runnerOptions: RunnerOptions = { modelDir: this.options.modelDir, intraOpNumThreads: this.options.intraOpNumThreads ?? 1 };
    const worker = startTsWorker(new URL('./inference-thread.ts', import.meta.url), {
      workerData: { runnerModule: this.options.runnerModule.href, options: runnerOptions },
    });
    const slot: Slot = { worker, alive: true, inFlight: new Map() };
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (msg: { ready?: boolean; error?: string; id?: number; outputs?: unknown[] }) => {
        if (!ready && msg.ready !== undefined) {
          ready = true;
          if (msg.ready) resolve(slot);
          else reject(new InferenceThreadError(`model runner failed to start: ${msg.error}`));
          return;
        }
        const pending = msg.id === undefined ? undefined : slot.inFlight.get(msg.id);
        if (!pending || msg.id === undefined) return;
        slot.inFlight.delete(msg.id);
        if (msg.error !== undefined) pending.reject(new InferenceThreadError(msg.error));
        else pending.resolve(msg.outputs ?? []);
      });
      worker.on('error', (e) => {
        if (!ready) reject(new InferenceThreadError(`model runner failed to start: ${e.message}`));
      });
      worker.on('exit', (code) => {
        slot.alive = false;
        for (const p of slot.inFlight.values()) p.reject(new InferenceThreadError(`inference thread exited (code ${code})`));
        slot.inFlight.clear();
        if (ready && !this.closing) void this.replace(slot);
      });
    });
  }

  private replacing: Promise<void> | null = null;

  private replace(dead: Slot): Promise<void> {
    const attempt = this.spawn().then(
      (fresh) => {
        const i = this.slots.indexOf(dead);
        if (i !== -1) this.slots[i] = fresh;
      },
      () => undefined,
    );
    this.replacing = attempt.finally(() => (this.replacing = null));
    return this.replacing;
  }

  runBatch = async (inputs: readonly In[]): Promise<Out[]> => {
    if (inputs.length === 0) return [];
    if (this.closing) throw new InferenceThreadError('inference pool is closed');
    let alive = this.slots.filter((s) => s.alive);
    if (alive.length === 0 && this.replacing) {
      await this.replacing;
      alive = this.slots.filter((s) => s.alive);
    }
    if (alive.length === 0) throw new InferenceThreadError('no inference thread is running');
    const slot = alive.reduce((a, b) => (b.inFlight.size < a.inFlight.size ? b : a));
    const id = this.nextId++;
    return new Promise<Out[]>((resolve, reject) => {
      slot.inFlight.set(id, { resolve: resolve as (v: unknown[]) => void, reject });
      slot.worker.postMessage({ id, inputs });
    });
  };

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.slots.map(async (s) => {
        const exited = new Promise((r) => s.worker.once('exit', r));
        s.worker.postMessage({ close: true });
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
        await s.worker.terminate();
      }),
    );
  }
}
