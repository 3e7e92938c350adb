import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ModelManifest } from '../../shared/models/model-manifest.js';
import { DEFAULT_FEATURIZER_PARAMS, TEXT_FEATURIZER_NAME, TextFeaturizer } from '../../shared/text/text-featurizer.js';
import { TEXT_LABELS, labelVector, type TextRecord } from '../../shared/text-training/dataset.js';
import { trainFastText, type FastTextModel } from '../../shared/text-training/fasttext-trainer.js';
import { renderModelCard, writeModelFolder } from '../../shared/text-training/model-package.js';
import { TEXT_MODEL_INPUTS, TEXT_MODEL_OUTPUTS, buildTextModelOnnx } from '../../shared/text-training/onnx-export.js';
import { evaluate } from '../../shared/text-training/evaluation.js';

/** A small inline dataset: enough signal for a model to separate it, small enough to train in ms. */
export function tinyDataset(): TextRecord[] {
  const goods = ['buy cocaine fast delivery', 'mdma pills for sale tonight', 'weed shop stealth shipping', 'купить кокаин закладки москва'];
  const scams = ['double your bitcoin in 24 hours', 'send 1 btc and get 2 back guaranteed', 'investment returns 300% guaranteed daily'];
  const spams = ['subscribe to my channel like and share', 'follow for follow mutual subscribers'];
  const benign = ['police seized cocaine at the port', 'nice weather today in the park', 'bitcoin price fell sharply today', 'new bakery opened downtown', 'погода сегодня хорошая'];
  const out: TextRecord[] = [];
  const cities = ['berlin', 'madrid', 'kyiv', 'almaty', 'seoul', 'tehran', 'cairo', 'london'];
  for (const city of cities) {
    for (const t of goods) out.push({ text: `${t} ${city}`, labels: ['illegal_goods'], lang: 'en' });
    for (const t of scams) out.push({ text: `${t} ${city}`, labels: ['scam'], lang: 'en' });
    for (const t of spams) out.push({ text: `${t} ${city}`, labels: ['spam'], lang: 'en' });
    for (const t of benign) out.push({ text: `${t} ${city}`, labels: [], lang: 'en' });
  }
  return out;
}

export const TINY_PARAMS = { ...DEFAULT_FEATURIZER_PARAMS, bucketsLog2: 12, lengthPrior: 8 };

export interface TinyModel {
  dir: string;
  model: FastTextModel;
  featurizer: TextFeaturizer;
  manifest: ModelManifest;
}

/** Trains on the tiny dataset and writes a complete model folder to a fresh temp dir. */
export async function writeTinyModel(seed = 7): Promise<TinyModel> {
  const labels = [...TEXT_LABELS];
  const featurizer = new TextFeaturizer(TINY_PARAMS);
  const data = tinyDataset();
  const model = trainFastText(
    data.map((r) => ({ features: featurizer.featurize(r.text), labels: labelVector(r, labels) })),
    labels.length,
    featurizer.buckets,
    { dim: 8, epochs: 30, lr: 1, seed, lengthPrior: TINY_PARAMS.lengthPrior },
  );
  const linear = model.toLinear();
  const onnx = buildTextModelOnnx({ table: linear.table, bias: linear.bias, buckets: featurizer.buckets, labels }, { name: 'tiny-text' });
  const manifest: ModelManifest = {
    name: 'tiny-text',
    version: '0.0.1',
    task: 'text-classification',
    featurizer: { name: TEXT_FEATURIZER_NAME, params: { ...TINY_PARAMS } },
    labels,
    thresholds: { illegal_goods: { review: 0.3, takedown: 0.6 }, scam: { review: 0.3, takedown: 1 } },
    inputs: [...TEXT_MODEL_INPUTS],
    outputs: [...TEXT_MODEL_OUTPUTS],
    metrics: {},
    training: { seed },
  };
  const dir = await mkdtemp(path.join(tmpdir(), 'modpipe-text-'));
  const report = evaluate(data, labels, labels.map(() => new Float64Array(data.length)), {});
  await writeModelFolder(dir, onnx, manifest, renderModelCard({ manifest, calibration: report, calibrationName: 'inline data', dataSummary: 'inline test data', thresholdNotes: {} }));
  return { dir, model, featurizer, manifest };
}
