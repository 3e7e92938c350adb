import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchRunner } from '../../shared/onnx/batch-runner.js';
import type { SignalInput } from '../../shared/signals/signal.js';
import { TextModelSignal, TextSignalError } from '../../shared/signals/text-model-signal.js';
import { createRunner } from '../../shared/text/text-runner.js';
import { writeTinyModel, type TinyModel } from './tiny-model.js';

function input(id: string, text: string): SignalInput {
  return { item: { id, kind: 'post', channel_id: 'c1', text, media: [], reach: {}, jurisdictions: [] }, text, images: [] };
}

describe('TextModelSignal', () => {
  let tiny: TinyModel;
  let runner: BatchRunner<string, Record<string, number>>;
  let calls: number[];
  beforeAll(async () => {
    tiny = await writeTinyModel();
    runner = await createRunner({ modelDir: tiny.dir, intraOpNumThreads: 1 });
  });
  afterAll(async () => {
    await runner.close?.();
    await rm(tiny.dir, { recursive: true, force: true });
  });

  function signal(): TextModelSignal {
    calls = [];
    return new TextModelSignal({
      manifest: tiny.manifest,
      runBatch: (texts) => {
        calls.push(texts.length);
        return runner.runBatch(texts);
      },
    });
  }

  it('is named after the model and turns scores into actions through the manifest thresholds', async () => {
    const s = signal();
    expect(s.name).toBe('text-model:tiny-text@0.0.1');
    // The version names the model: switching models, not only bumping one, re-classifies on sweeps.
    expect(s.version).toBe('tiny-text@0.0.1');
    const [drug, scam, benign, empty] = await s.evaluate([
      input('a', 'buy cocaine fast delivery berlin'),
      input('b', 'double your bitcoin in 24 hours madrid'),
      input('c', 'nice weather today in the park kyiv'),
      input('d', '   '),
    ]);
    // One runner call for the batch; the empty text is not sent.
    expect(calls).toEqual([3]);
    // illegal_goods: review 0.3, takedown 0.6 in the tiny manifest.
    const drugHit = drug?.hits.find((h) => h.label === 'illegal_goods');
    expect(drugHit?.action).toBe('takedown');
    expect(drugHit?.signal).toBe('text-model:tiny-text@0.0.1');
    expect(drugHit?.score).toBeCloseTo(drug?.scores?.illegal_goods as number, 10);
    expect(drugHit?.reason).toMatch(/illegal_goods 0\.\d{3} \(takedown at >= 0\.600\)/);
    // scam: takedown 1 means never automatic, so a confident scam goes to review.
    const scamHit = scam?.hits.find((h) => h.label === 'scam');
    expect(scam?.scores?.scam).toBeGreaterThan(0.8);
    expect(scamHit?.action).toBe('review');
    // spam has no thresholds in the tiny manifest: scored and recorded, never a hit.
    expect(drug?.scores).toHaveProperty('spam');
    expect([drug, scam, benign].flatMap((o) => o?.hits ?? []).some((h) => h.label === 'spam')).toBe(false);
    expect(benign?.hits).toEqual([]);
    expect(Object.keys(benign?.scores ?? {})).toHaveLength(6);
    expect(empty).toEqual({ hits: [] });
  });

  it('scores text in a script the model never saw but does not act on it', async () => {
    // Trained on Latin-script languages only: Japanese and Thai are read as noise, not as signals.
    const latinOnly = new TextModelSignal({ manifest: { ...tiny.manifest, training: { trainCounts: { langs: { en: 10, de: 5 } } } }, runBatch: runner.runBatch });
    const [latin, japanese, thai] = await latinOnly.evaluate([
      input('a', 'buy cocaine fast delivery berlin'),
      input('b', 'コカインを今すぐ東京で配達します、ご連絡ください'),
      input('c', 'ขายโคเคนส่งด่วนกรุงเทพ'),
    ]);
    expect(latin?.hits.some((h) => h.action === 'takedown')).toBe(true);
    for (const out of [japanese, thai]) {
      expect(out?.hits).toEqual([]);
      expect(Object.keys(out?.scores ?? {})).toHaveLength(6);
      expect(out?.errors?.[0]).toMatch(/(Han|Thai) script, which the model was not trained on/);
    }
  });

  it('maps a score to none / review / takedown at the exact thresholds', () => {
    const s = signal();
    expect(s.actionFor('illegal_goods', 0.29)).toBe('none');
    expect(s.actionFor('illegal_goods', 0.3)).toBe('review');
    expect(s.actionFor('illegal_goods', 0.6)).toBe('takedown');
    expect(s.actionFor('scam', 1)).toBe('review');
    expect(s.actionFor('hate', 0.99)).toBe('none');
  });

  it('rejects a runner that loses results and a manifest of another task', async () => {
    const broken = new TextModelSignal({ manifest: tiny.manifest, runBatch: async (texts) => (await runner.runBatch(texts)).slice(1) });
    await expect(broken.evaluate([input('a', 'one'), input('b', 'two')])).rejects.toThrow(TextSignalError);
    expect(() => new TextModelSignal({ manifest: { ...tiny.manifest, task: 'image-classification' }, runBatch: runner.runBatch })).toThrow(/not text-classification/);
  });
});
