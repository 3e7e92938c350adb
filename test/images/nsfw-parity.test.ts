import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { NSFWJS } from 'nsfwjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateNsfwjs } from '../../models/tools/convert-nsfwjs.js';
import { readTfjsArtifacts } from '../../models/tools/tfjs/read-artifacts.js';
import { decodeRgb, preprocessNsfw } from '../../shared/images/nsfw-preprocess.js';
import { createRunner, type ImageModelRunner } from '../../shared/images/nsfw-runner.js';
import { NSFW_MODEL_DIR, pdqImages, syntheticImages, type NamedImage } from './nsfw-fixtures.js';

/**
 * The converted ONNX model, fed by our preprocessing, gives the probabilities nsfwjs itself gives
 * (NSFWJS.classify on @tensorflow/tfjs, pure JS CPU backend) for the same image, class by class.
 * The tfjs side loads the package's own model files from disk through an in-memory IO handler.
 */

const TOLERANCE = 1e-3;
const PDQ_SUBSET = ['aaa-orig.jpg', 'c.png', 'small.jpg', 'wee.jpg', 'square-512x512.jpg'];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

let images: NamedImage[];
let nsfwjs: NSFWJS;
let runner: ImageModelRunner;

beforeAll(async () => {
  images = [...(await syntheticImages()), ...(await pdqImages(PDQ_SUBSET))];
  await tf.setBackend('cpu');
  const artifacts = await readTfjsArtifacts(path.join((await locateNsfwjs()).dir, 'dist/models/mobilenet_v2'));
  const handler = tf.io.fromMemory({
    modelTopology: artifacts.modelJson.modelTopology,
    weightSpecs: artifacts.weightSpecs,
    weightData: artifacts.weightData.slice().buffer,
  });
  nsfwjs = new NSFWJS(handler, { size: 224 });
  await nsfwjs.load();
  runner = (await createRunner({ modelDir: NSFW_MODEL_DIR, intraOpNumThreads: 1 })) as ImageModelRunner;
});

afterAll(async () => {
  nsfwjs?.dispose();
  await runner?.close?.();
});

/** What nsfwjs does to a decoded image before its model: float, /255, bilinear align-corners. */
function nsfwjsPixels(pixels: { data: Uint8Array; width: number; height: number }): Float32Array {
  return tf.tidy(() => {
    const img = tf.tensor3d(Int32Array.from(pixels.data), [pixels.height, pixels.width, 3], 'int32');
    const normalised = img.toFloat().div(tf.scalar(255));
    const resized = pixels.height === 224 && pixels.width === 224 ? normalised : tf.image.resizeBilinear(normalised as tf.Tensor3D, [224, 224], true);
    return resized.dataSync() as Float32Array;
  });
}

describe('nsfw model parity with nsfwjs', () => {
  it('preprocessing yields, bit for bit, the pixels nsfwjs feeds its model', async () => {
    for (const image of images) {
      const ours = await preprocessNsfw(image.bytes);
      const theirs = nsfwjsPixels(await decodeRgb(image.bytes));
      expect(ours.length).toBe(224 * 224 * 3);
      expect(maxAbsDiff(ours, theirs), image.name).toBe(0);
    }
  });

  // nsfwjs gets the decoded image and preprocesses it itself; the test above shows it ends with
  // exactly our input tensor, so both models see the same pixels.
  it(`class probabilities match NSFWJS.classify within ${TOLERANCE}`, async () => {
    const results = await runner.runBatch(images.map((i) => ({ bytes: i.bytes })));
    let worst = 0;
    const report: string[] = [];
    for (const [k, image] of images.entries()) {
      const result = results[k];
      if (!result?.ok) throw new Error(`${image.name}: runner failed: ${result?.error}`);
      const pixels = await decodeRgb(image.bytes);
      const tensor = tf.tensor3d(Int32Array.from(pixels.data), [pixels.height, pixels.width, 3], 'int32');
      // nsfwjs's .d.ts files use extensionless imports that NodeNext cannot follow, so its types
      // arrive as `any`; state the documented result shape here.
      const predictions = (await nsfwjs.classify(tensor, 5)) as { className: string; probability: number }[];
      tensor.dispose();
      expect(predictions).toHaveLength(5);
      const diffs = predictions.map((p) => Math.abs((result.probs[p.className.toLowerCase()] as number) - p.probability));
      const diff = Math.max(...diffs);
      worst = Math.max(worst, diff);
      report.push(`${image.name}: max |diff| ${diff.toExponential(2)}`);
      expect(diff, image.name).toBeLessThanOrEqual(TOLERANCE);
    }
    console.log(`nsfw parity over ${images.length} images, worst ${worst.toExponential(2)}\n  ${report.join('\n  ')}`);
  }, 120_000);
});
