import type { BatchRunner, CreateRunner } from '../onnx/batch-runner.js';
import { TextModelSession } from './text-model-session.js';

/**
 * The text model's runner module for the inference pool (see shared/onnx/batch-runner.ts): each
 * worker thread loads the model folder once, then featurizes and scores whole batches with one
 * `session.run()` each. Input: post texts; output: per text, a score for every manifest label.
 */
export const createRunner: CreateRunner<string, Record<string, number>> = async (options) => {
  const model = await TextModelSession.load(options.modelDir, { intraOpNumThreads: options.intraOpNumThreads });
  const runner: BatchRunner<string, Record<string, number>> = {
    runBatch: (texts) => model.scoreTexts(texts.map((t) => (typeof t === 'string' ? t : ''))),
    close: () => model.close(),
  };
  return runner;
};
