import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSchema } from '../../shared/items/item-schema.js';
import { loadModelFolder, type ModelManifest } from '../../shared/models/model-manifest.js';
import { createRunner, type ImageModelRunner } from '../../shared/images/nsfw-runner.js';
import { ImageModelSignal, NSFW_POLICY_LABELS, type ImageModelOutcome } from '../../shared/signals/image-model-signal.js';
import type { ImageSource, SignalInput } from '../../shared/signals/signal.js';
import { gradientPng, NSFW_MODEL_DIR, shapesPng } from './nsfw-fixtures.js';

let manifest: ModelManifest;

beforeAll(async () => {
  ({ manifest } = await loadModelFolder(NSFW_MODEL_DIR));
});

const item = itemSchema.parse({ id: 'post:1', kind: 'post', channel_id: 'chan:1', text: 'hello' });

function image(index: number, bytes: Buffer): ImageSource {
  return { index, ok: true, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function input(images: ImageSource[]): SignalInput {
  return { item, text: 'hello', images };
}

/** One byte per image names its probabilities: a scripted model, to pin the threshold rules. */
function scripted(table: Record<number, Partial<Record<string, number>>>) {
  const calls: number[] = [];
  const runBatch = async (inputs: readonly { bytes: Uint8Array }[]): Promise<ImageModelOutcome[]> => {
    calls.push(inputs.length);
    return inputs.map(({ bytes }) => {
      const row = table[bytes[0] as number];
      if (!row) return { ok: false, error: 'corrupt: scripted failure' };
      return { ok: true, probs: { drawing: 0, hentai: 0, neutral: 0, porn: 0, sexy: 0, ...row } as Record<string, number> };
    });
  };
  return { runBatch, calls };
}

const img = (index: number, key: number) => image(index, Buffer.from([key]));

describe('image model signal', () => {
  it('is named after the model version it records', () => {
    const signal = new ImageModelSignal({ manifest, runBatch: scripted({}).runBatch });
    expect(signal.name).toBe('image-model:nsfw-mobilenet-v2@1.0.0');
    expect(signal.version).toBe('nsfw-mobilenet-v2@1.0.0');
  });

  it('maps porn and hentai scores to nsfw hits with the manifest thresholds', async () => {
    const { runBatch } = scripted({ 1: { porn: 0.97 }, 2: { porn: 0.7 }, 3: { hentai: 0.75 }, 4: { porn: 0.5, neutral: 0.5 }, 5: { porn: 0.95 } });
    const signal = new ImageModelSignal({ manifest, runBatch, policyLabels: NSFW_POLICY_LABELS });
    const out = await signal.evaluate([input([img(0, 1)]), input([img(0, 2)]), input([img(0, 3)]), input([img(0, 4)]), input([img(0, 5)])]);
    expect(out.map((o) => o.hits.map((h) => [h.label, h.action, h.score]))).toEqual([
      [['nsfw', 'takedown', 0.97]],
      [['nsfw', 'review', 0.7]],
      [['nsfw', 'review', 0.75]],
      [],
      [['nsfw', 'takedown', 0.95]], // exactly at the threshold counts
    ]);
    expect(out[0]?.hits[0]).toMatchObject({
      signal: 'image-model:nsfw-mobilenet-v2@1.0.0',
      reason: 'image 0: porn 0.970 ≥ takedown threshold 0.95',
      evidence: { modelLabel: 'porn', imageIndex: 0, threshold: 0.95 },
    });
  });

  it('keeps one hit per policy label: the most severe over all images and classes', async () => {
    const { runBatch, calls } = scripted({ 1: { porn: 0.65 }, 2: { hentai: 0.98 }, 3: { porn: 0.99, hentai: 0.99 } });
    const signal = new ImageModelSignal({ manifest, runBatch, policyLabels: NSFW_POLICY_LABELS });
    const [first, second] = await signal.evaluate([input([img(0, 1), img(1, 2)]), input([img(0, 3)])]);
    expect(calls).toEqual([3]); // every image of every item in one call
    expect(first?.hits).toHaveLength(1);
    expect(first?.hits[0]).toMatchObject({ label: 'nsfw', action: 'takedown', score: 0.98, evidence: { modelLabel: 'hentai', imageIndex: 1 } });
    expect(first?.scores).toMatchObject({ porn: 0.65, hentai: 0.98 });
    expect(second?.hits).toHaveLength(1);
  });

  it('records suggestive and benign scores without acting on them', async () => {
    const { runBatch } = scripted({ 1: { sexy: 0.99, porn: 0.01 } });
    const [out] = await new ImageModelSignal({ manifest, runBatch, policyLabels: NSFW_POLICY_LABELS }).evaluate([input([img(0, 1)])]);
    expect(out?.hits).toEqual([]);
    expect(out?.scores?.sexy).toBe(0.99);
  });

  it('keeps model labels when no mapping is given', async () => {
    const { runBatch } = scripted({ 1: { porn: 0.99 } });
    const [out] = await new ImageModelSignal({ manifest, runBatch }).evaluate([input([img(0, 1)])]);
    expect(out?.hits[0]?.label).toBe('porn');
  });

  it('reports unusable images per item and never calls the model for items without images', async () => {
    const { runBatch, calls } = scripted({ 1: { porn: 0.99 } });
    const signal = new ImageModelSignal({ manifest, runBatch, policyLabels: NSFW_POLICY_LABELS });
    const out = await signal.evaluate([
      input([{ index: 0, ok: false, error: 'fetch failed: 404' }, img(1, 9), img(2, 1)]),
      input([]),
    ]);
    expect(out[0]?.errors).toEqual(['image 0: not scored (fetch failed: 404)', 'image 1: corrupt: scripted failure']);
    expect(out[0]?.hits.map((h) => h.evidence?.imageIndex)).toEqual([2]);
    expect(out[1]).toEqual({ hits: [] });
    expect(calls).toEqual([2]);
    expect(await signal.evaluate([input([])])).toEqual([{ hits: [] }]);
    expect(calls).toEqual([2]);
  });

  it('fails the call when the model answers the wrong number of results (an infrastructure fault)', async () => {
    const signal = new ImageModelSignal({ manifest, runBatch: async () => [], policyLabels: NSFW_POLICY_LABELS });
    await expect(signal.evaluate([input([img(0, 1)])])).rejects.toThrow(/0 results for 1 images/);
  });

  describe('with the real model', () => {
    let runner: ImageModelRunner;
    beforeAll(async () => {
      runner = (await createRunner({ modelDir: NSFW_MODEL_DIR, intraOpNumThreads: 1 })) as ImageModelRunner;
    });
    afterAll(async () => {
      await runner?.close?.();
    });

    it('scores benign pictures without hits and reports a corrupt one', async () => {
      const signal = new ImageModelSignal({ manifest, runBatch: (inputs) => runner.runBatch(inputs), policyLabels: NSFW_POLICY_LABELS });
      const [out] = await signal.evaluate([input([image(0, await gradientPng()), image(1, Buffer.from('nope')), image(2, await shapesPng())])]);
      expect(out?.hits).toEqual([]);
      expect(Object.keys(out?.scores ?? {})).toEqual(manifest.labels);
      expect(out?.errors).toEqual(['image 1: unsupported: not an image in a format we can read']);
    });
  });
});
