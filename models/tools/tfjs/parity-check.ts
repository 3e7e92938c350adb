import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import type { TfjsArtifacts } from './read-artifacts.js';

/**
 * Conversion acceptance: runs the source model on TensorFlow.js (pure JS CPU backend) and the
 * converted model on onnxruntime with the same inputs, and reports the largest absolute
 * difference between their outputs. Inputs are deterministic (seeded noise, ramps, constants)
 * so the figure recorded in the manifest is reproducible.
 */

export interface ParityResult {
  maxAbsDiff: number;
  inputs: number;
  reference: string;
}

/** Mulberry32: a tiny seeded PRNG, enough for reproducible test pixels. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function probeInputs(count: number, perImage: number): Float32Array {
  const data = new Float32Array(count * perImage);
  const random = seededRandom(20240601);
  for (let n = 0; n < count; n++) {
    for (let i = 0; i < perImage; i++) {
      const kind = n % 4;
      data[n * perImage + i] = kind === 0 ? random() : kind === 1 ? (i % 997) / 996 : kind === 2 ? 0 : 1;
    }
  }
  return data;
}

export async function checkParity(artifacts: TfjsArtifacts, onnxBytes: Uint8Array, inputName: string, outputName: string, inputDims: readonly number[], count = 4): Promise<ParityResult> {
  await tf.setBackend('cpu');
  const weightData = artifacts.weightData.slice().buffer;
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: artifacts.modelJson.modelTopology, weightSpecs: artifacts.weightSpecs, weightData }),
  );
  const perImage = inputDims.reduce((a, b) => a * b, 1);
  const data = probeInputs(count, perImage);
  const expected = tf.tidy(() => (model.predict(tf.tensor(data, [count, ...inputDims])) as tf.Tensor).dataSync().slice());
  model.dispose();

  const session = await ort.InferenceSession.create(onnxBytes);
  try {
    const result = await session.run({ [inputName]: new ort.Tensor('float32', data, [count, ...inputDims]) });
    const actual = result[outputName]?.data as Float32Array | undefined;
    if (!actual || actual.length !== expected.length) throw new Error(`parity: onnx output has ${actual?.length} values, tfjs ${expected.length}`);
    let maxAbsDiff = 0;
    for (let i = 0; i < actual.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs((actual[i] as number) - (expected[i] as number)));
    return { maxAbsDiff, inputs: count, reference: `@tensorflow/tfjs ${tf.version.tfjs} (cpu backend)` };
  } finally {
    await session.release();
  }
}
