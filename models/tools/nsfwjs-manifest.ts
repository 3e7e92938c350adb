import { modelManifestSchema, type ModelManifest } from '../../shared/models/model-manifest.js';
import { NSFW_FEATURIZER_NAME, NSFW_FEATURIZER_PARAMS } from '../../shared/images/nsfw-preprocess.js';
import type { SourceFile } from './tfjs/read-artifacts.js';
import type { ParityResult } from './tfjs/parity-check.js';

/**
 * The manifest of the converted nsfwjs model: what the runner needs (featurizer, labels, tensor
 * names), what policy acts on (thresholds) and what we honestly know of its quality.
 */

export const NSFW_MODEL_NAME = 'nsfw-mobilenet-v2';
/** Bump when the weights, the conversion or the thresholds change: items are re-classified. */
export const NSFW_MODEL_VERSION = '1.0.0';
export const NSFW_INPUT = 'input';
export const NSFW_OUTPUT = 'probs';

/**
 * Conservative by design: nothing here was calibrated on modpipe data (none with NSFW labels
 * exists), so automatic takedown needs a near-certain score and the review band is where a human
 * decides. Hentai gets the stricter pair because upstream's errors concentrate between drawing
 * and hentai. `sexy` (suggestive, not explicit) and the benign classes are recorded, never acted on.
 */
export const NSFW_THRESHOLDS = {
  porn: { review: 0.6, takedown: 0.95 },
  hentai: { review: 0.7, takedown: 0.97 },
} as const;

export interface NsfwManifestInput {
  labels: string[];
  nsfwjsVersion: string;
  variant: string;
  sourceFiles: SourceFile[];
  onnxSha256: string;
  onnxBytes: number;
  opset: number;
  foldedBatchNorms: number;
  parameters: number;
  parity: ParityResult;
}

export function buildNsfwManifest(m: NsfwManifestInput): ModelManifest {
  return modelManifestSchema.parse({
    name: NSFW_MODEL_NAME,
    version: NSFW_MODEL_VERSION,
    task: 'image-classification',
    featurizer: { name: NSFW_FEATURIZER_NAME, params: NSFW_FEATURIZER_PARAMS },
    labels: m.labels,
    thresholds: NSFW_THRESHOLDS,
    inputs: [NSFW_INPUT],
    outputs: [NSFW_OUTPUT],
    metrics: {
      upstreamAccuracy: {
        value: 0.9,
        approximate: true,
        source: `nsfwjs ${m.nsfwjsVersion} README: "~90% with small and ~93% with midsized model"; this is the small (MobileNetV2) one`,
        caveat: 'five-class accuracy on upstream held-out data; split, per-class precision/recall and calibration are not published with the package',
      },
      localEvaluation: { done: false, reason: 'modpipe ships no labelled NSFW image set; thresholds are untuned defaults (see MODEL_CARD.md)' },
      conversionParity: { ...m.parity, tolerance: 1e-3, note: 'max |p_onnx - p_tfjs| over all classes on deterministic probe inputs, measured by the converter' },
    },
    training: {
      trainedBy: 'upstream (GantMan/nsfw_model), not modpipe',
      architecture: 'MobileNetV2 (alpha 1.0, 224x224, ImageNet base) + AveragePooling2D(7) + Dense(256, relu) + Dropout(0.5) + Dense(128, relu) + Dropout(0.25) + Dense(5, softmax)',
      framework: 'Keras 2.2.4 (TensorFlow backend), exported as a tfjs layers model with uint8-quantised weights',
      data: 'images collected with alexkimxyz/nsfw_data_scraper (upstream README: "60+ Gigs"); not redistributed with the package and not inspected by modpipe',
      trainingPreprocessing: 'upstream training script: Keras ImageDataGenerator rescale 1/255 at 224x224; nsfwjs serves with bilinear align-corners resize',
      source: {
        package: `nsfwjs@${m.nsfwjsVersion}`,
        licence: 'MIT (nsfwjs, Copyright (c) 2019 Infinite Red, Inc.; upstream nsfw_model is MIT as well)',
        model: m.variant,
        files: m.sourceFiles,
      },
      conversion: {
        tool: 'models/tools/convert-nsfwjs.ts',
        onnxOpset: m.opset,
        inputLayout: 'NHWC float32 [batch, 224, 224, 3], transposed to NCHW once inside the graph',
        foldedBatchNorms: m.foldedBatchNorms,
        parameters: m.parameters,
        onnxSha256: m.onnxSha256,
        onnxBytes: m.onnxBytes,
      },
    },
  });
}
