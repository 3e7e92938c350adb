import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../shared/models/model-manifest.js';
import { TEXT_FEATURIZER_NAME } from '../../shared/text/text-featurizer.js';
import { createRunner } from '../../shared/text/text-runner.js';
import { writeTinyModel, type TinyModel } from './tiny-model.js';

describe('text runner', () => {
  let tiny: TinyModel;
  const dirs: string[] = [];
  beforeAll(async () => {
    tiny = await writeTinyModel();
    dirs.push(tiny.dir);
  });
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  /** A copy of the tiny model folder with one file changed or removed. */
  async function variant(change: (dir: string) => Promise<void>): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'modpipe-text-bad-'));
    dirs.push(dir);
    for (const f of ['model.onnx', 'manifest.json', 'MODEL_CARD.md']) await copyFile(path.join(tiny.dir, f), path.join(dir, f));
    await change(dir);
    return dir;
  }
  async function editManifest(dir: string, edit: (m: Record<string, unknown>) => void): Promise<void> {
    const file = path.join(dir, 'manifest.json');
    const m = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    edit(m);
    await writeFile(file, JSON.stringify(m));
  }

  it('returns each input its own scores, in order, from one batch', async () => {
    const runner = await createRunner({ modelDir: tiny.dir, intraOpNumThreads: 1 });
    try {
      const texts = ['buy cocaine fast delivery berlin', 'nice weather today in the park kyiv', 'double your bitcoin in 24 hours madrid', 'buy cocaine fast delivery berlin'];
      const batch = await runner.runBatch(texts);
      expect(batch).toHaveLength(4);
      for (let i = 0; i < texts.length; i++) {
        const [alone] = await runner.runBatch([texts[i] as string]);
        for (const label of tiny.manifest.labels) expect(batch[i]?.[label]).toBeCloseTo(alone?.[label] as number, 6);
        expect(Object.keys(batch[i] ?? {}).sort()).toEqual([...tiny.manifest.labels].sort());
      }
      expect(batch[0]?.illegal_goods).toBeGreaterThan(0.8);
      expect(batch[1]?.illegal_goods).toBeLessThan(0.2);
      expect(batch[2]?.scam).toBeGreaterThan(0.8);
      expect(await runner.runBatch([])).toEqual([]);
    } finally {
      await runner.close?.();
    }
  });

  it.each([
    ['a missing model.onnx', async (d: string) => rm(path.join(d, 'model.onnx')), /model\.onnx is missing/],
    ['a missing manifest', async (d: string) => rm(path.join(d, 'manifest.json')), /manifest\.json is missing/],
    ['a manifest that is not JSON', async (d: string) => writeFile(path.join(d, 'manifest.json'), '{"name": '), /not valid JSON/],
    ['a manifest without labels', async (d: string) => editManifest(d, (m) => delete m.labels), /labels/],
    ['an image model manifest', async (d: string) => editManifest(d, (m) => (m.task = 'image-classification')), /expected text-classification/],
    ['an unknown featurizer', async (d: string) => editManifest(d, (m) => (m.featurizer = { name: 'bpe-v9', params: {} })), /featurizer bpe-v9 is unknown/],
    ['bad featurizer params', async (d: string) => editManifest(d, (m) => (m.featurizer = { name: TEXT_FEATURIZER_NAME, params: { bucketsLog2: 99 } })), /featurizer params are invalid/],
    ['labels that disagree with the graph', async (d: string) => editManifest(d, (m) => Object.assign(m, { labels: ['scam', 'spam'], thresholds: {} })), /outputs 6 scores per text, manifest lists 2 labels/],
    ['buckets larger than the graph table', async (d: string) => editManifest(d, (m) => ((m.featurizer as { params: { bucketsLog2: number } }).params.bucketsLog2 = 20)), /does not run/],
    ['a corrupt model.onnx', async (d: string) => writeFile(path.join(d, 'model.onnx'), 'not a model'), /model\.onnx does not load/],
  ])('fails at start-up with a clear error for %s', async (_what, change, message) => {
    const dir = await variant(change);
    const attempt = createRunner({ modelDir: dir, intraOpNumThreads: 1 });
    await expect(attempt).rejects.toBeInstanceOf(ModelLoadError);
    await expect(createRunner({ modelDir: dir, intraOpNumThreads: 1 })).rejects.toThrow(message);
  });
});
