/**
 * Every worker and poller has this shape (DESIGN §6.1): `run` resolves when the worker stops,
 * `close` finishes in-flight work and releases resources.
 */
export interface PipelineWorker {
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
