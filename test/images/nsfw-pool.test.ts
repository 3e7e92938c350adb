import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelFolder } from '../../shared/models/model-manifest.js';
import { InferencePool } from '../../shared/onnx/inference-pool.js';
import { createRunner, type ImageModelInput, type ImageModelResult } from '../../shared/images/nsfw-runner.js';
import { ImageModelSignal, NSFW_POLICY_LABELS } from '../../shared/signals/image-model-signal.js';
import { itemSchema } from '../../shared/items/item-schema.js';
import { gradientPng, NSFW_MODEL_DIR, noiseJpeg } from './nsfw-fixtures.js';

/** The runner module loads in the inference pool's worker threads, and the signal runs on it. */

let pool: InferencePool<ImageModelInput, ImageModelResult>;

beforeAll(async () => {
  pool = await InferencePool.start<ImageModelInput, ImageModelResult>({
    runnerModule: new URL('../../shared/images/nsfw-runner.ts', import.meta.url),
    modelDir: NSFW_MODEL_DIR,
    threads: 1,
  });
});

afterAll(async () => {
  await pool?.close();
});

describe('nsfw runner in the inference pool', () => {
  it('scores in a worker thread exactly as in process, errors included', async () => {
    const inputs = [{ bytes: await gradientPng() }, { bytes: Buffer.from('not an image') }, { bytes: await noiseJpeg() }];
    const local = await createRunner({ modelDir: NSFW_MODEL_DIR, intraOpNumThreads: 1 });
    try {
      expect(await pool.runBatch(inputs)).toEqual(await local.runBatch(inputs));
    } finally {
      await local.close?.();
    }
  });

  it('plugs into the image model signal as its runBatch', async () => {
    const { manifest } = await loadModelFolder(NSFW_MODEL_DIR);
    const signal = new ImageModelSignal({ manifest, runBatch: pool.runBatch, policyLabels: NSFW_POLICY_LABELS });
    const bytes = await gradientPng();
    const item = itemSchema.parse({ id: 'post:9', kind: 'post', channel_id: 'chan:9', text: 'x' });
    const [out] = await signal.evaluate([{ item, text: 'x', images: [{ index: 0, ok: true, bytes, sha256: '0'.repeat(64) }] }]);
    expect(out?.hits).toEqual([]);
    expect(Object.keys(out?.scores ?? {})).toEqual(manifest.labels);
  });
});
