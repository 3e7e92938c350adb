import { access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { Classifier } from '../classify/classifier.js';
import { loadMedia, type MediaLoaderOptions } from '../images/media-loader.js';
import type { ImageModelInput, ImageModelResult } from '../images/nsfw-runner.js';
import { loadModelFolder, ModelLoadError } from '../models/model-manifest.js';
import { InferencePool } from '../onnx/inference-pool.js';
import { loadRuleList } from '../rules/rule-list.js';
import { RulesSignal } from '../rules/rules-signal.js';
import { ImageModelSignal, NSFW_POLICY_LABELS } from '../signals/image-model-signal.js';
import type { Signal } from '../signals/signal.js';
import { TextModelSignal } from '../signals/text-model-signal.js';
import type { ClassifyQueue } from '../queues/classify-queue.js';
import type { Db } from '../store/db.js';
import { startHashBanks } from './hash-banks.js';

const TEXT_RUNNER = new URL('../text/text-runner.ts', import.meta.url);
const IMAGE_RUNNER = new URL('../images/nsfw-runner.ts', import.meta.url);

/** `none` switches a model off; anything else must load, or start-up stops with the reason. */
async function modelDir(setting: string, what: string): Promise<string | null> {
  if (setting === 'none') return null;
  const dir = path.resolve(setting);
  try {
    await access(dir);
  } catch {
    throw new ModelLoadError(`${what} folder ${dir} does not exist (set it to a model folder, or to 'none' to run without it)`);
  }
  return dir;
}

/** What the classifier may use beyond configuration. */
export interface ClassifierDeps {
  /** The record: with it, the hash-bank signal runs on the stored banks (and records media hashes). */
  db?: Db;
  /** With it, new bank hashes are matched against stored media and matching items re-queued. */
  classifyQueue?: ClassifyQueue;
  /** Image fetching (tests allow a loopback endpoint here; production passes nothing). */
  media?: MediaLoaderOptions;
  /** Bank revision polling interval. */
  bankPollMs?: number;
}

/**
 * Builds the classifier from configuration: the rule list, the text model, the image model and
 * (given the db) the hash banks, each model in its own pool of worker threads so inference never
 * blocks the event loop.
 */
export async function buildClassifier(config: Config, logger: Logger, deps: ClassifierDeps = {}): Promise<Classifier> {
  const signals: Signal[] = [new RulesSignal(await loadRuleList(path.resolve(config.RULES_FILE)))];
  const pools: { close(): Promise<void> }[] = [];
  // Inference threads share the cores with the event loop and Redis; one onnxruntime thread each.
  const threads = Math.max(1, Math.min(config.INFERENCE_THREADS, os.availableParallelism()));

  const textDir = await modelDir(config.TEXT_MODEL, 'TEXT_MODEL');
  if (textDir) {
    const folder = await loadModelFolder(textDir);
    const pool = await InferencePool.start<string, Record<string, number>>({ runnerModule: TEXT_RUNNER, modelDir: textDir, threads, intraOpNumThreads: 1 });
    pools.push(pool);
    signals.push(new TextModelSignal({ manifest: folder.manifest, runBatch: pool.runBatch }));
  }
  const imageDir = await modelDir(config.IMAGE_MODEL, 'IMAGE_MODEL');
  if (imageDir) {
    const folder = await loadModelFolder(imageDir);
    const pool = await InferencePool.start<ImageModelInput, ImageModelResult>({ runnerModule: IMAGE_RUNNER, modelDir: imageDir, threads: 1, intraOpNumThreads: 1 });
    pools.push(pool);
    signals.push(new ImageModelSignal({ manifest: folder.manifest, runBatch: pool.runBatch, policyLabels: NSFW_POLICY_LABELS }));
  }
  if (deps.db) {
    const banks = await startHashBanks({ db: deps.db, logger, threads: Math.min(2, threads), classifyQueue: deps.classifyQueue, pollMs: deps.bankPollMs });
    pools.push(banks);
    signals.push(banks.signal);
  }

  const classifier = new Classifier(signals, (item) => loadMedia(item.media, deps.media), async () => {
    await Promise.all(pools.map((p) => p.close()));
  });
  logger.info({ model_version: classifier.modelVersion, signals: signals.map((s) => s.name) }, 'classifier ready');
  return classifier;
}
