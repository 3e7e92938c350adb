import path from 'node:path';
import { fileExists, withOperatorErrors } from '../text-model-command.js';
import { parseArgs } from 'node:util';
import { UsageError } from '../command.js';
import { DEFAULT_FEATURIZER_PARAMS, textFeaturizerParamsSchema, type TextFeaturizerParams } from '../../shared/text/text-featurizer.js';
import { formatReport } from '../../shared/text-training/evaluation.js';
import { trainModel } from '../../shared/text-training/train-model.js';

const HELP = `usage: modpipe train --data <train.jsonl> --out models/<name>
         [--calibration <jsonl>] [--heldout <jsonl>] [--name N] [--version 1.0.0]
         [--seed 1] [--epochs 40] [--dim 32] [--lr 2] [--positive-weight 3] [--dropout 0.7] [--ensemble 3]
         [--buckets-log2 20] [--char-ngrams 3-5] [--word-ngrams 2] [--max-features 1024] [--phonetic-min-n 0]
         [--length-prior 128] [--thresholds crossfit|calibration]

Trains the fastText-style text classifier, exports model.onnx, picks thresholds and writes
manifest.json and MODEL_CARD.md. --thresholds crossfit (default) trains on train + calibration
(default: calibration.jsonl beside --data) and picks thresholds on 4-fold out-of-fold scores;
--thresholds calibration trains on train only and picks them on the calibration split.
--heldout is scored after every choice is made, for the manifest and card only.`;

/** Chosen by 4-fold cross-validation on the training split, never on calibration or held-out. */
export const TRAIN_DEFAULTS = { seed: 1, epochs: 40, dim: 32, lr: 2, positiveWeight: 3, dropout: 0.7, ensemble: 3 };

function int(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer in ${min}..${max}, got '${value}'`);
  return n;
}


export function run(args: string[]): Promise<number> {
  return withOperatorErrors('train', () => runCommand(args));
}

async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string' },
      calibration: { type: 'string' },
      heldout: { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
      version: { type: 'string', default: '1.0.0' },
      seed: { type: 'string' },
      epochs: { type: 'string' },
      dim: { type: 'string' },
      lr: { type: 'string' },
      'positive-weight': { type: 'string' },
      dropout: { type: 'string' },
      ensemble: { type: 'string' },
      'phonetic-min-n': { type: 'string' },
      'length-prior': { type: 'string' },
      thresholds: { type: 'string', default: 'crossfit' },
      'buckets-log2': { type: 'string' },
      'char-ngrams': { type: 'string' },
      'word-ngrams': { type: 'string' },
      'max-features': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (!values.data || !values.out) throw new UsageError(`--data and --out are required\n${HELP}`);
  const calibration = values.calibration ?? path.join(path.dirname(values.data), 'calibration.jsonl');
  if (!(await fileExists(calibration))) throw new UsageError(`calibration split ${calibration} not found: run 'modpipe split' or pass --calibration`);
  const name = values.name ?? path.basename(path.resolve(values.out));
  const thresholdMode = values.thresholds;
  if (thresholdMode !== 'crossfit' && thresholdMode !== 'calibration') throw new UsageError(`--thresholds is crossfit or calibration, got '${thresholdMode}'`);
  const lr = values.lr === undefined ? TRAIN_DEFAULTS.lr : Number(values.lr);
  if (!(lr > 0 && lr <= 10)) throw new UsageError(`--lr must be in (0, 10], got '${values.lr}'`);
  const positiveWeight = values['positive-weight'] === undefined ? TRAIN_DEFAULTS.positiveWeight : Number(values['positive-weight']);
  if (!(positiveWeight > 0 && positiveWeight <= 100)) throw new UsageError(`--positive-weight must be in (0, 100], got '${values['positive-weight']}'`);
  const dropout = values.dropout === undefined ? TRAIN_DEFAULTS.dropout : Number(values.dropout);
  if (!(dropout >= 0 && dropout < 1)) throw new UsageError(`--dropout must be in [0, 1), got '${values.dropout}'`);

  let charMin = DEFAULT_FEATURIZER_PARAMS.charNgramMin;
  let charMax = DEFAULT_FEATURIZER_PARAMS.charNgramMax;
  if (values['char-ngrams']) {
    const m = /^(\d)-(\d)$/.exec(values['char-ngrams']);
    if (!m) throw new UsageError(`--char-ngrams takes MIN-MAX, e.g. 2-5`);
    charMin = Number(m[1]);
    charMax = Number(m[2]);
  }
  const params = textFeaturizerParamsSchema.safeParse({
    ...DEFAULT_FEATURIZER_PARAMS,
    bucketsLog2: int(values['buckets-log2'], 'buckets-log2', DEFAULT_FEATURIZER_PARAMS.bucketsLog2, 8, 24),
    charNgramMin: charMin,
    charNgramMax: charMax,
    wordNgrams: int(values['word-ngrams'], 'word-ngrams', DEFAULT_FEATURIZER_PARAMS.wordNgrams, 1, 3),
    maxFeatures: int(values['max-features'], 'max-features', DEFAULT_FEATURIZER_PARAMS.maxFeatures, 8, 65_536),
    phoneticMinN: int(values['phonetic-min-n'], 'phonetic-min-n', DEFAULT_FEATURIZER_PARAMS.phoneticMinN, 0, 8),
    lengthPrior: int(values['length-prior'], 'length-prior', DEFAULT_FEATURIZER_PARAMS.lengthPrior, 0, 100_000),
  });
  if (!params.success) throw new UsageError(`featurizer options: ${params.error.issues.map((i) => i.message).join('; ')}`);

  const result = await trainModel({
    trainPath: values.data,
    calibPath: calibration,
    ...(values.heldout ? { heldoutPath: values.heldout } : {}),
    outDir: values.out,
    name,
    version: values.version,
    seed: int(values.seed, 'seed', TRAIN_DEFAULTS.seed, 0, 2 ** 31 - 1),
    epochs: int(values.epochs, 'epochs', TRAIN_DEFAULTS.epochs, 1, 1000),
    dim: int(values.dim, 'dim', TRAIN_DEFAULTS.dim, 1, 512),
    lr,
    positiveWeight,
    featureDropout: dropout,
    ensemble: int(values.ensemble, 'ensemble', TRAIN_DEFAULTS.ensemble, 1, 32),
    thresholdMode,
    featurizer: params.data as TextFeaturizerParams,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`\n${thresholdMode === 'crossfit' ? 'out-of-fold scores (train + calibration)' : 'calibration split'}\n${formatReport(result.calibration)}\n`);
  if (result.heldout) process.stdout.write(`\nheld-out split\n${formatReport(result.heldout)}\n`);
  process.stdout.write(`\nwrote ${values.out} (${result.manifest.name}@${result.manifest.version})\n`);
  return 0;
}
