import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '../../shared/onnx/onnx-builder.js';
import { InferencePool } from '../../shared/onnx/inference-pool.js';
import { MicroBatcher } from '../../shared/runtime/micro-batcher.js';
import { hashWord } from '../fixtures/toy-text-runner.js';

const DIMS = 16;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** A real ONNX model made in code: p = sigmoid(x·W + b) for two labels. */
function toyModel(w: Float32Array, b: Float32Array): Uint8Array {
  const g = new OnnxGraphBuilder('toy');
  g.input('x', 'float', ['N', DIMS]);
  g.initializer('W', { dims: [DIMS, 2], data: w });
  g.initializer('B', { dims: [2], data: b });
  g.op('Sigmoid', [g.op('Gemm', ['x', 'W', 'B'])], undefined, 'p');
  g.output('p', 'float', ['N', 2]);
  return g.toBytes({ producer: 'modpipe-test' });
}

describe('the inference pool', () => {
  let dir: string;
  let pool: InferencePool<string, number[]>;
  const w = Float32Array.from({ length: DIMS * 2 }, (_, i) => ((i * 7) % 5) / 5 - 0.4);
  const b = new Float32Array([0.1, -0.2]);

  /** What the model must answer, computed here independently of onnxruntime. */
  function expected(text: string): number[] {
    const x = new Array<number>(DIMS).fill(0);
    for (const word of text.toLowerCase().split(/\s+/).filter(Boolean)) x[hashWord(word) % DIMS]! += 1;
    return [0, 1].map((j) => sigmoid(x.reduce((s, v, i) => s + v * w[i * 2 + j]!, b[j]!)));
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'modpipe-toy-'));
    await writeFile(path.join(dir, 'model.onnx'), toyModel(w, b));
    await writeFile(path.join(dir, 'toy.json'), JSON.stringify({ dims: DIMS }));
    pool = await InferencePool.start({ runnerModule: new URL('../fixtures/toy-text-runner.ts', import.meta.url), modelDir: dir, threads: 2 });
  });
  afterAll(async () => {
    await pool?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a real ONNX model in worker threads and returns each input its own scores', async () => {
    const texts = ['free crypto now', 'weather is fine', '', 'buy buy buy', 'Привет мир'];
    const out = await pool.runBatch(texts);
    expect(out).toHaveLength(texts.length);
    out.forEach((scores, i) => scores.forEach((s, j) => expect(s).toBeCloseTo(expected(texts[i]!)[j]!, 5)));
  });

  it('micro-batches concurrent callers into few runs, each caller getting its own answer', async () => {
    let runs = 0;
    const batcher = new MicroBatcher<string, number[]>(
      async (inputs) => {
        runs++;
        return pool.runBatch(inputs);
      },
      { maxBatch: 32, maxWaitMs: 5 },
    );
    const texts = Array.from({ length: 100 }, (_, i) => `item ${i} word${i % 7} extra${i % 3}`);
    const results = await Promise.all(texts.map((t) => batcher.submit(t)));
    results.forEach((scores, i) => expect(scores[0]).toBeCloseTo(expected(texts[i]!)[0]!, 5));
    expect(runs).toBeLessThanOrEqual(8);
    await batcher.close();
  });

  it('fails the batches of a crashed thread and replaces the thread', async () => {
    await expect(pool.runBatch(['crash the thread'])).rejects.toThrow(/inference thread exited/);
    const after = await pool.runBatch(['still working']);
    expect(after[0]![0]).toBeCloseTo(expected('still working')[0]!, 5);
  });

  it('refuses to start on a model folder that cannot load, with the reason', async () => {
    await expect(InferencePool.start({ runnerModule: new URL('../fixtures/toy-text-runner.ts', import.meta.url), modelDir: path.join(dir, 'missing'), threads: 1 })).rejects.toThrow(/model runner failed to start/);
  });
});
