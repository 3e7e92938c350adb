import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { TextModelSession } from '../../shared/text/text-model-session.js';
import { TEXT_LABELS, labelVector } from '../../shared/text-training/dataset.js';
import { LOGIT_CAP, LinearTextModel, servedScore, sigmoid, trainFastText } from '../../shared/text-training/fasttext-trainer.js';
import { writeModelFolder } from '../../shared/text-training/model-package.js';
import { buildTextModelOnnx } from '../../shared/text-training/onnx-export.js';
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

  it('exports an ensemble as one model whose scores are the sigmoid of the mean member logit', async () => {
    const labels = [...TEXT_LABELS];
    const data = tinyDataset();
    const samples = data.map((r) => ({ features: tiny.featurizer.featurize(r.text), labels: labelVector(r, labels) }));
    const members = [3, 4, 5].map((seed) => trainFastText(samples, labels.length, tiny.featurizer.buckets, { dim: 8, epochs: 10, lr: 1, seed, featureDropout: 0.3, positiveWeight: 2, lengthPrior: tiny.featurizer.params.lengthPrior }));
    const ensemble = LinearTextModel.average(members.map((m) => m.toLinear()));
    const dir = await mkdtemp(path.join(tmpdir(), 'modpipe-text-ens-'));
    try {
      await writeModelFolder(dir, buildTextModelOnnx({ ...ensemble, labels }, {}), { ...tiny.manifest, name: 'tiny-ensemble' }, '# ensemble\n');
      const ens = await TextModelSession.load(dir);
      const texts = ['buy cocaine fast delivery seoul', 'subscribe to my channel', 'new bakery opened downtown', 'something unseen'];
      const onnx = await ens.scoreTexts(texts);
      await ens.close();
      texts.forEach((text, i) => {
        const feats = tiny.featurizer.featurize(text);
        // From the trainer's factorized members: logit = ln(p / (1 - p)), averaged.
        const memberScores = members.map((m) => m.score(feats));
        labels.forEach((label, k) => {
          const meanLogit = memberScores.reduce((a, s) => a + Math.log((s[k] as number) / (1 - (s[k] as number))), 0) / members.length;
          expect(Math.abs((onnx[i]?.[label] as number) - servedScore(meanLogit))).toBeLessThan(1e-5);
          expect(Math.abs((onnx[i]?.[label] as number) - (ensemble.score(feats)[k] as number))).toBeLessThan(1e-5);
        });
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('clips logits so no score reaches 1 (a takedown threshold of 1 means never)', async () => {
    const labels = [...TEXT_LABELS];
    const buckets = tiny.featurizer.buckets;
    const bias = Float32Array.from(labels, (_, k) => (k % 2 ? 1000 : -1000));
    const dir = await mkdtemp(path.join(tmpdir(), 'modpipe-text-cap-'));
    try {
      await writeModelFolder(dir, buildTextModelOnnx({ table: new Float32Array(buckets * labels.length), bias, buckets, labels }, {}), { ...tiny.manifest, name: 'tiny-cap' }, '# cap\n');
      const capped = await TextModelSession.load(dir);
      const [scores] = await capped.scoreTexts(['anything at all']);
      await capped.close();
      labels.forEach((label, k) => {
        // onnxruntime's sigmoid is a fast approximation: equal to 1e-6, not bit for bit.
        expect(Math.abs((scores?.[label] as number) - sigmoid(k % 2 ? LOGIT_CAP : -LOGIT_CAP))).toBeLessThan(1e-6);
      });
      expect(scores?.illegal_goods).toBeLessThan(1);
      expect(scores?.illegal_goods).toBeGreaterThan(0.999999);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
