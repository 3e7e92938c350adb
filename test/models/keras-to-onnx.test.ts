import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeWeights, WeightStore } from '../../models/tools/tfjs/decode-weights.js';
import { kerasToOnnx } from '../../models/tools/tfjs/keras-to-onnx.js';
import { parseKerasTopology } from '../../models/tools/tfjs/keras-topology.js';
import { conv2dKernelToOihw, depthwiseKernelToOihw, tfSamePadding } from '../../models/tools/tfjs/kernel-layout.js';
import type { WeightSpec } from '../../models/tools/tfjs/read-artifacts.js';
import { seededRandom } from '../../models/tools/tfjs/parity-check.js';

/**
 * The Keras → ONNX mapping on layers and paddings the nsfwjs model does not exercise: small tfjs
 * models with random weights, saved as tfjs artifacts, converted, and run on both sides.
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface Saved {
  topology: unknown;
  specs: WeightSpec[];
  data: Uint8Array;
}

/** Random weights (positive variances), then the artifacts tfjs would write to disk. */
async function save(model: tf.LayersModel, seed: number): Promise<Saved> {
  const random = seededRandom(seed);
  model.setWeights(
    model.weights.map((w) => {
      const size = w.shape.reduce((a, b) => (a as number) * (b as number), 1) as number;
      const low = w.name.includes('moving_variance') ? 0.5 : -0.6;
      return tf.tensor(Float32Array.from({ length: size }, () => low + random() * 1.1), w.shape as number[]);
    }),
  );
  let saved: Saved | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = { topology: a.modelTopology, specs: (a.weightSpecs ?? []) as WeightSpec[], data: new Uint8Array(a.weightData as ArrayBuffer) };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('model was not saved');
  return saved;
}

async function maxDiffOnRandomInput(model: tf.LayersModel, saved: Saved, inputShape: number[], optimize = true): Promise<number> {
  const converted = kerasToOnnx(parseKerasTopology(saved.topology), new WeightStore(decodeWeights(saved.specs, saved.data)), {
    inputName: 'x',
    outputName: 'y',
    producer: 'test',
  });
  const random = seededRandom(99);
  const shape = [2, ...inputShape];
  const x = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random());
  const expected = (model.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync();
  const session = await ort.InferenceSession.create(converted.bytes, { graphOptimizationLevel: optimize ? 'all' : 'disabled' });
  const actual = (await session.run({ x: new ort.Tensor('float32', x, shape) })).y?.data as Float32Array;
  await session.release();
  expect(actual.length).toBe(expected.length);
  return actual.reduce((m, v, i) => Math.max(m, Math.abs(v - (expected[i] as number))), 0);
}

describe('keras → onnx layer mapping', () => {
  it('puts TF "same" padding odd pixel at the end', () => {
    expect(tfSamePadding(224, 3, 1)).toEqual([1, 1]);
    expect(tfSamePadding(224, 3, 2)).toEqual([0, 1]);
    expect(tfSamePadding(15, 3, 2)).toEqual([1, 1]);
    expect(tfSamePadding(15, 4, 2)).toEqual([1, 2]);
  });

  it('reorders kernels HWIO → OIHW and depthwise channel-major', () => {
    // 1×1 conv, 2 in, 3 out: w[i][o] = 10 i + o  →  out[o][i]
    expect([...conv2dKernelToOihw(Float32Array.from([0, 1, 2, 10, 11, 12]), [1, 1, 2, 3])]).toEqual([0, 10, 1, 11, 2, 12]);
    // 1×1 depthwise, 2 channels × multiplier 2: w[c][m] = 10 c + m → output channel c * 2 + m
    expect([...depthwiseKernelToOihw(Float32Array.from([0, 1, 10, 11]), [1, 1, 2, 2])]).toEqual([0, 1, 10, 11]);
  });

  it('converts strided same-padding convolutions, depthwise multipliers, loose batch norms, max pooling and a wide flatten', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [15, 13, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: true }),
        tf.layers.reLU({ maxValue: 6 }),
        tf.layers.batchNormalization({ epsilon: 1e-3 }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', useBias: true, activation: 'relu' }),
        tf.layers.zeroPadding2d({ padding: [[1, 0], [0, 2]] }),
        tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 6, activation: 'softmax' }),
      ],
    });
    // Optimisations off: onnxruntime 1.30's PadFusion merges the materialised Pad into MaxPool and
    // then rejects the merged pads (3) for exceeding the kernel (2). This checks our mapping only.
    expect(await maxDiffOnRandomInput(model, await save(model, 1), [15, 13, 3], false)).toBeLessThan(1e-5);
  });

  it('converts functional graphs with folded batch norms, Add, Concatenate and global pooling', async () => {
    const input = tf.input({ shape: [9, 9, 2] });
    const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false }).apply(input) as tf.SymbolicTensor;
    const aBn = tf.layers.batchNormalization().apply(a) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 4, kernelSize: 1, useBias: true }).apply(input) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([aBn, b]) as tf.SymbolicTensor;
    const both = tf.layers.concatenate().apply([sum, b]) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(both) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, activation: 'sigmoid' }).apply(pooled) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const saved = await save(model, 2);
    expect(await maxDiffOnRandomInput(model, saved, [9, 9, 2])).toBeLessThan(1e-5);
  });

  it('refuses a layer it cannot map instead of guessing', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 }), tf.layers.layerNormalization()] });
    const saved = await save(model, 3);
    expect(() =>
      kerasToOnnx(parseKerasTopology(saved.topology), new WeightStore(decodeWeights(saved.specs, saved.data)), { inputName: 'x', outputName: 'y', producer: 'test' }),
    ).toThrow(/LayerNormalization is not supported/);
  });
});
