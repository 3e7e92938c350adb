import * as ort from 'onnxruntime-node';
import { ModelLoadError, loadModelFolder, type ModelFolder } from '../models/model-manifest.js';
import { PackBuffers, TEXT_FEATURIZER_NAME, TextFeaturizer, type PackedBatch } from './text-featurizer.js';

/** The tensor names every text model folder must use (see shared/text-training/onnx-export.ts). */
export const TEXT_INPUTS = ['ids', 'weights'] as const;
export const TEXT_OUTPUT = 'scores';

export interface TextModelSessionOptions {
  intraOpNumThreads?: number;
}

/**
 * A loaded text model: its manifest, the featurizer the manifest names, and one onnxruntime
 * session. Everything that can be wrong with a model folder is found here, at start-up, as a
 * ModelLoadError: never on the first item.
 */
export class TextModelSession {
  // Pack buffers not in use by a run; a call takes one (or makes one when all are busy) and gives
  // it back once its run has finished, so overlapping calls never share a buffer.
  private readonly idleBuffers: PackBuffers[] = [];

  private constructor(
    readonly folder: ModelFolder,
    readonly featurizer: TextFeaturizer,
    private readonly session: ort.InferenceSession,
  ) {}

  get labels(): readonly string[] {
    return this.folder.manifest.labels;
  }

  static async load(modelDir: string, options: TextModelSessionOptions = {}): Promise<TextModelSession> {
    const folder = await loadModelFolder(modelDir);
    const m = folder.manifest;
    const fail = (why: string) => new ModelLoadError(`model folder ${modelDir}: ${why}`);
    if (m.task !== 'text-classification') throw fail(`task is ${m.task}, expected text-classification`);
    if (m.featurizer.name !== TEXT_FEATURIZER_NAME) throw fail(`featurizer ${m.featurizer.name} is unknown (this build has ${TEXT_FEATURIZER_NAME})`);
    let featurizer: TextFeaturizer;
    try {
      featurizer = new TextFeaturizer(m.featurizer.params);
    } catch (e) {
      throw fail((e as Error).message);
    }
    for (const name of TEXT_INPUTS) if (!m.inputs.includes(name)) throw fail(`manifest inputs must include ${name}`);
    if (!m.outputs.includes(TEXT_OUTPUT)) throw fail(`manifest outputs must include ${TEXT_OUTPUT}`);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(folder.onnxPath, {
        intraOpNumThreads: options.intraOpNumThreads ?? 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
    } catch (e) {
      throw fail(`model.onnx does not load: ${(e as Error).message}`);
    }
    const loaded = new TextModelSession(folder, featurizer, session);
    // One real inference at start-up: a model whose output width disagrees with the manifest's
    // labels (or whose graph cannot run) fails now, with the folder named.
    let probe: Float32Array;
    try {
      probe = await loaded.scoreBatch(['start-up probe']);
    } catch (e) {
      await session.release();
      throw fail(`model.onnx does not run: ${(e as Error).message}`);
    }
    if (probe.length !== m.labels.length) {
      await session.release();
      throw fail(`model.onnx outputs ${probe.length} scores per text, manifest lists ${m.labels.length} labels`);
    }
    return loaded;
  }

  /** One session.run() for a packed batch; scores are [rows, labels] row-major. */
  async scorePacked(batch: PackedBatch): Promise<Float32Array> {
    const dims = [batch.rows, batch.width];
    const feeds = {
      ids: new ort.Tensor('int32', batch.ids, dims),
      weights: new ort.Tensor('float32', batch.weights, dims),
    };
    const result = await this.session.run(feeds);
    const out = result[TEXT_OUTPUT];
    if (!out) throw new Error(`model produced no ${TEXT_OUTPUT} output`);
    return out.data as Float32Array;
  }

  /** Featurize and score in one run(); scores are [texts, labels] row-major. */
  async scoreBatch(texts: readonly string[]): Promise<Float32Array> {
    const buffers = this.idleBuffers.pop() ?? new PackBuffers();
    try {
      return await this.scorePacked(this.featurizer.featurizeBatch(texts, buffers));
    } finally {
      this.idleBuffers.push(buffers);
    }
  }

  /** Featurize and score; one record per text, in input order. */
  async scoreTexts(texts: readonly string[]): Promise<Record<string, number>[]> {
    if (texts.length === 0) return [];
    const scores = await this.scoreBatch(texts);
    const labels = this.labels;
    const K = labels.length;
    const out: Record<string, number>[] = new Array(texts.length);
    for (let r = 0; r < texts.length; r++) {
      const rec: Record<string, number> = {};
      for (let k = 0; k < K; k++) rec[labels[k] as string] = scores[r * K + k] as number;
      out[r] = rec;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
