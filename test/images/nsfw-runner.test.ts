import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../shared/models/model-manifest.js';
import { createRunner, type ImageModelResult, type ImageModelRunner } from '../../shared/images/nsfw-runner.js';
import { corruptImages, gradientPng, NSFW_MODEL_DIR, noiseJpeg, shapesPng } from './nsfw-fixtures.js';

let runner: ImageModelRunner;
let a: Buffer;
let b: Buffer;
let c: Buffer;

beforeAll(async () => {
  runner = (await createRunner({ modelDir: NSFW_MODEL_DIR, intraOpNumThreads: 1 })) as ImageModelRunner;
  [a, b, c] = await Promise.all([gradientPng(), noiseJpeg(), shapesPng()]);
});

afterAll(async () => {
  await runner?.close?.();
});

function probs(r: ImageModelResult | undefined): Record<string, number> {
  if (!r?.ok) throw new Error(`expected a score, got ${JSON.stringify(r)}`);
  return r.probs;
}

function expectSameProbs(actual: Record<string, number>, expected: Record<string, number>): void {
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
  for (const [label, p] of Object.entries(expected)) expect(actual[label]).toBeCloseTo(p, 5);
}

describe('nsfw runner', () => {
  it('scores every label of the manifest with probabilities that sum to 1', async () => {
    const [result] = await runner.runBatch([{ bytes: a }]);
    const p = probs(result);
    expect(Object.keys(p)).toEqual(['drawing', 'hentai', 'neutral', 'porn', 'sexy']);
    expect(runner.labels).toEqual(Object.keys(p));
    expect(Object.values(p).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
  });

  it('returns each input its own result, in input order, whatever the batch', async () => {
    const single = await Promise.all([a, b, c].map(async (bytes) => probs((await runner.runBatch([{ bytes }]))[0])));
    // The three images are scored differently, so a mix-up would show.
    expect(single[0]?.drawing).not.toBeCloseTo(single[1]?.drawing as number, 3);
    expect(single[1]?.drawing).not.toBeCloseTo(single[2]?.drawing as number, 3);

    const forward = await runner.runBatch([{ bytes: a }, { bytes: b }, { bytes: c }]);
    const backward = await runner.runBatch([{ bytes: c }, { bytes: b }, { bytes: a }]);
    expect(forward).toHaveLength(3);
    [0, 1, 2].forEach((i) => {
      expectSameProbs(probs(forward[i]), single[i] as Record<string, number>);
      expectSameProbs(probs(backward[2 - i]), single[i] as Record<string, number>);
    });
  });

  it('gives a corrupt image its own error and scores the rest of the batch', async () => {
    const bad = await corruptImages();
    const results = await runner.runBatch([{ bytes: a }, ...bad.map((x) => ({ bytes: x.bytes })), { bytes: b }]);
    expect(results.map((r) => r.ok)).toEqual([true, false, false, false, true]);
    expect(results[1]).toEqual({ ok: false, error: 'unsupported: not an image in a format we can read' });
    expect(results[2]).toEqual({ ok: false, error: expect.stringMatching(/^corrupt: the image is truncated: it ends before its JPEG end-of-image marker/) });
    expect(results[3]).toEqual({ ok: false, error: 'corrupt: the image is empty (0 bytes)' });
    expectSameProbs(probs(results[0]), probs((await runner.runBatch([{ bytes: a }]))[0]));
    expectSameProbs(probs(results[4]), probs((await runner.runBatch([{ bytes: b }]))[0]));
  });

  it('answers a batch of only bad images, and an empty batch, without failing', async () => {
    const bad = await corruptImages();
    const results = await runner.runBatch(bad.map((x) => ({ bytes: x.bytes })));
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(await runner.runBatch([])).toEqual([]);
  });

  it('refuses a model folder whose featurizer it does not implement', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nsfw-runner-'));
    try {
      const manifest = JSON.parse(await readFile(path.join(NSFW_MODEL_DIR, 'manifest.json'), 'utf8')) as { featurizer: { params: Record<string, unknown> } };
      manifest.featurizer.params.alignCorners = false;
      await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
      await copyFile(path.join(NSFW_MODEL_DIR, 'model.onnx'), path.join(dir, 'model.onnx'));
      await expect(createRunner({ modelDir: dir, intraOpNumThreads: 1 })).rejects.toThrow(ModelLoadError);
      await expect(createRunner({ modelDir: dir, intraOpNumThreads: 1 })).rejects.toThrow(/featurizer params: alignCorners/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
