import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchRunner } from '../../shared/onnx/batch-runner.js';
import { loadModelFolder, type ModelManifest } from '../../shared/models/model-manifest.js';
import type { SignalInput } from '../../shared/signals/signal.js';
import { TextModelSignal } from '../../shared/signals/text-model-signal.js';
import { TEXT_LABELS } from '../../shared/text-training/dataset.js';
import { createRunner } from '../../shared/text/text-runner.js';

const MODEL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../models/modpipe-text');

function input(text: string): SignalInput {
  return { item: { id: 'p1', kind: 'post', channel_id: 'c1', text, media: [], reach: {}, jurisdictions: [] }, text, images: [] };
}

describe('the committed default model models/modpipe-text', () => {
  let manifest: ModelManifest;
  let runner: BatchRunner<string, Record<string, number>>;
  beforeAll(async () => {
    manifest = (await loadModelFolder(MODEL_DIR)).manifest;
    runner = await createRunner({ modelDir: MODEL_DIR, intraOpNumThreads: 1 });
  });
  afterAll(async () => {
    await runner.close?.();
  });

  it('loads offline with thresholds for all six labels and the metrics it was accepted with', () => {
    expect(manifest.name).toBe('modpipe-text');
    expect(manifest.labels).toEqual([...TEXT_LABELS]);
    for (const label of TEXT_LABELS) {
      const t = manifest.thresholds[label];
      expect(t && t.review <= t.takedown && t.takedown < 1).toBe(true);
    }
    expect((manifest.metrics.heldout as { macroF1: number }).macroF1).toBeGreaterThan(0.8);
  });

  it('takes down drug ads, evasions included, and leaves news and weather alone', async () => {
    const signal = new TextModelSignal({ manifest, runBatch: runner.runBatch });
    const [ru, evasive, news, weather] = await signal.evaluate([
      input('Продаю мефедрон и кокаин, закладки по Москве, пишите в бот'),
      input('k0kаin 💊 fast delivery Berlin, write @dealer_bot'),
      input('Police seized 200 kg of cocaine in the port of Hamburg, officials said'),
      input('Tomorrow sunny, 22 degrees in Madrid'),
    ]);
    for (const out of [ru, evasive]) {
      expect(out?.hits.find((h) => h.label === 'illegal_goods')?.action).toBe('takedown');
      expect(out?.scores?.illegal_goods).toBeGreaterThan(0.99);
    }
    expect(news?.hits).toEqual([]);
    expect(news?.scores?.illegal_goods).toBeLessThan(0.2);
    expect(weather?.hits.filter((h) => h.action === 'takedown')).toEqual([]);
  });
});
