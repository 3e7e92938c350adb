import * as ort from 'onnxruntime-node';
import { loadModelFolder, ModelLoadError } from '../models/model-manifest.js';
import type { BatchRunner, CreateRunner, RunnerOptions } from '../onnx/batch-runner.js';
import { ImageDecodeError } from './decode-image.js';
import { decodeRgb, NSFW_FEATURIZER_NAME, nsfwFeaturizerParamsSchema, pixelsToNsfwInput, type NsfwFeaturizerParams } from './nsfw-preprocess.js';
import { describeIssues } from '../validation/describe-issues.js';

/**
 * Runner for the nsfwjs image model (models/nsfw-mobilenet-v2), loaded by the inference pool in
 * a worker thread (see shared/onnx/batch-runner.ts). Per batch: decode and preprocess every input,
 * stack the good ones into one NHWC tensor, one `session.run()`, and one result per input in
 * order. A bad image gets its own error result; it never fails the batch.
 */

export interface ImageModelInput {
  bytes: Uint8Array;
}

export type ImageModelResult = { ok: true; probs: Record<string, number> } | { ok: false; error: string };

export interface ImageModelRunner extends BatchRunner<ImageModelInput, ImageModelResult> {
  readonly labels: readonly string[];
}

function featurizerParams(dir: string, featurizer: { name: string; params: Record<string, unknown> }): NsfwFeaturizerParams {
  if (featurizer.name !== NSFW_FEATURIZER_NAME) {
    throw new ModelLoadError(`model folder ${dir}: featurizer '${featurizer.name}' is not '${NSFW_FEATURIZER_NAME}'`);
  }
  const parsed = nsfwFeaturizerParamsSchema.safeParse(featurizer.params);
  if (!parsed.success) {
    throw new ModelLoadError(`model folder ${dir}: featurizer params: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}

/** `corrupt: the image is truncated or damaged (...)`: the reason code first, for grouping. */
function describeFailure(e: unknown): string {
  if (e instanceof ImageDecodeError) return `${e.reason}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

export const createRunner: CreateRunner<ImageModelInput, ImageModelResult> = async (options: RunnerOptions): Promise<ImageModelRunner> => {
  const folder = await loadModelFolder(options.modelDir);
  const { manifest } = folder;
  if (manifest.task !== 'image-classification') throw new ModelLoadError(`model folder ${folder.dir}: task is ${manifest.task}, not image-classification`);
  const params = featurizerParams(folder.dir, manifest.featurizer);
  const [inputName] = manifest.inputs;
  const [outputName] = manifest.outputs;
  if (!inputName || !outputName) throw new ModelLoadError(`model folder ${folder.dir}: manifest names no input or output`);

  const session = await ort.InferenceSession.create(folder.onnxPath, {
    intraOpNumThreads: options.intraOpNumThreads,
    // The pool runs one batch at a time per runner; inter-op parallelism would only oversubscribe.
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const labels = manifest.labels;
  const perImage = params.size * params.size * 3;

  return {
    labels,
    async runBatch(inputs) {
      // Decode concurrently (sharp works on libuv's pool) and shrink each image to model size as
      // soon as it is decoded, so full-size pixel buffers never pile up for a whole batch.
      const prepared = await Promise.all(
        inputs.map(async (input) => {
          try {
            return { ok: true as const, tensor: pixelsToNsfwInput(await decodeRgb(input.bytes), params) };
          } catch (e) {
            return { ok: false as const, error: describeFailure(e) };
          }
        }),
      );
      const good = prepared.flatMap((p, i) => (p.ok ? [i] : []));
      const probsByInput = new Map<number, Record<string, number>>();
      if (good.length > 0) {
        const batch = new Float32Array(good.length * perImage);
        good.forEach((inputIndex, row) => {
          const p = prepared[inputIndex];
          if (p?.ok) batch.set(p.tensor, row * perImage);
        });
        const feeds = { [inputName]: new ort.Tensor('float32', batch, [good.length, params.size, params.size, 3]) };
        const output = (await session.run(feeds))[outputName];
        const values = output?.data;
        if (!(values instanceof Float32Array) || values.length !== good.length * labels.length) {
          throw new Error(`model ${manifest.name}: output '${outputName}' has ${values?.length ?? 'no'} values for ${good.length} images × ${labels.length} labels`);
        }
        good.forEach((inputIndex, row) => {
          const probs: Record<string, number> = {};
          labels.forEach((label, k) => {
            probs[label] = values[row * labels.length + k] as number;
          });
          probsByInput.set(inputIndex, probs);
        });
      }
      return prepared.map((p, i): ImageModelResult => (p.ok ? { ok: true, probs: probsByInput.get(i) as Record<string, number> } : { ok: false, error: p.error }));
    },
    async close() {
      await session.release();
    },
  };
};
