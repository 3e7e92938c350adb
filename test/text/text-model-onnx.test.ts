import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextModelSession } from '../../shared/text/text-model-session.js';
import { tinyDataset, writeTinyModel, type TinyModel } from './tiny-model.js';

describe('trainer → ONNX → onnxruntime', () => {
  let tiny: TinyModel;
  let session: TextModelSession;
  beforeAll(async () => {
    tiny = await writeTinyModel();
    session = await TextModelSession.load(tiny.dir);
  });
  afterAll(async () => {
    await session.close();
    await rm(tiny.dir, { recursive: true, force: true });
  });

  it("reproduces the trainer's own scores to 1e-5", async () => {
    const texts = [...tinyDataset().map((r) => r.text), 'an unseen text about nothing', '', 'k0kaин 💊 t.me/x_shop'];
    const onnx = await session.scoreTexts(texts);
    let checked = 0;
    texts.forEach((text, i) => {
      const expected = tiny.model.score(tiny.featurizer.featurize(text));
      session.labels.forEach((label, k) => {
        expect(Math.abs((onnx[i]?.[label] as number) - (expected[k] as number))).toBeLessThan(1e-5);
        checked++;
      });
    });
    expect(checked).toBe(texts.length * 6);
  });

  it('has learned the inline data (the comparison is not between two constant models)', async () => {
    const [drug, scam, benign] = await session.scoreTexts(['buy cocaine fast delivery berlin', 'double your bitcoin in 24 hours madrid', 'nice weather today in the park kyiv']);
    expect(drug?.illegal_goods).toBeGreaterThan(0.8);
    expect(scam?.scam).toBeGreaterThan(0.8);
    expect(benign?.illegal_goods).toBeLessThan(0.2);
    expect(benign?.scam).toBeLessThan(0.2);
  });

  it('is deterministic for a seed: same seed, same model.onnx bytes; another seed differs', async () => {
    const again = await writeTinyModel(7);
    const other = await writeTinyModel(8);
    try {
      const a = await readFile(path.join(tiny.dir, 'model.onnx'));
      expect(Buffer.compare(a, await readFile(path.join(again.dir, 'model.onnx')))).toBe(0);
      expect(Buffer.compare(a, await readFile(path.join(other.dir, 'model.onnx')))).not.toBe(0);
    } finally {
      await rm(again.dir, { recursive: true, force: true });
      await rm(other.dir, { recursive: true, force: true });
    }
  });
});
