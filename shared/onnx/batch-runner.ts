/**
 * The contract a model runner module fulfils. The inference pool (shared/onnx/inference-pool.ts)
 * loads such a module inside each worker thread, so featurisation and `session.run()` never block
 * the event loop that renews BullMQ locks. A module exports:
 *
 *   export const createRunner: CreateRunner<In, Out>;
 *
 * Inputs and outputs cross a thread boundary: they must be structured-cloneable
 * (strings, numbers, plain objects, typed arrays, Buffers).
 */
export interface BatchRunner<In, Out> {
  /** One `session.run()` per call: results in input order, one per input. */
  runBatch(inputs: readonly In[]): Promise<Out[]>;
  close?(): Promise<void>;
}

export interface RunnerOptions {
  /** Absolute path of the model folder (manifest.json, model.onnx). */
  modelDir: string;
  /** onnxruntime intra-op threads for this runner; the pool sizes it so threads never oversubscribe the cores. */
  intraOpNumThreads: number;
}

export type CreateRunner<In, Out> = (options: RunnerOptions) => Promise<BatchRunner<In, Out>>;
