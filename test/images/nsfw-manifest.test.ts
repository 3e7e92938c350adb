import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { locateNsfwjs, readNsfwjsLabels } from '../../models/tools/convert-nsfwjs.js';
import { loadModelFolder, modelVersionTag } from '../../shared/models/model-manifest.js';
import { NSFW_FEATURIZER_NAME, nsfwFeaturizerParamsSchema } from '../../shared/images/nsfw-preprocess.js';
import { NSFW_MODEL_DIR } from './nsfw-fixtures.js';

describe('nsfw model folder', () => {
  it('has a manifest that validates, with the labels in nsfwjs output order', async () => {
    const { manifest } = await loadModelFolder(NSFW_MODEL_DIR);
    expect(modelVersionTag(manifest)).toBe('nsfw-mobilenet-v2@1.0.0');
    expect(manifest.task).toBe('image-classification');
    expect(manifest.labels).toEqual(await readNsfwjsLabels((await locateNsfwjs()).dir));
    expect(manifest.labels).toEqual(['drawing', 'hentai', 'neutral', 'porn', 'sexy']);
    expect(manifest.featurizer.name).toBe(NSFW_FEATURIZER_NAME);
    expect(nsfwFeaturizerParamsSchema.parse(manifest.featurizer.params)).toMatchObject({ size: 224, layout: 'NHWC', divideBy: 255 });
  });

  it('acts only on the explicit classes, with review below takedown', async () => {
    const { manifest } = await loadModelFolder(NSFW_MODEL_DIR);
    expect(Object.keys(manifest.thresholds).sort()).toEqual(['hentai', 'porn']);
    for (const t of Object.values(manifest.thresholds)) {
      expect(t.review).toBeLessThan(t.takedown);
      expect(t.takedown).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('describes the model.onnx next to it: checksum, tensor names and shapes', async () => {
    const { manifest, onnxPath } = await loadModelFolder(NSFW_MODEL_DIR);
    const bytes = await readFile(onnxPath);
    const conversion = (manifest.training as { conversion: { onnxSha256: string } }).conversion;
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(conversion.onnxSha256);
    const session = await ort.InferenceSession.create(bytes);
    try {
      expect(session.inputNames).toEqual(manifest.inputs);
      expect(session.outputNames).toEqual(manifest.outputs);
      const input = session.inputMetadata[0];
      expect(input && 'shape' in input ? input.shape : undefined).toEqual(['batch', 224, 224, 3]);
    } finally {
      await session.release();
    }
  });

  it('ships a model card', async () => {
    const card = await readFile(path.join(NSFW_MODEL_DIR, 'MODEL_CARD.md'), 'utf8');
    expect(card).toMatch(/licen[cs]e/i);
    expect(card).toContain('nsfwjs');
  });
});
