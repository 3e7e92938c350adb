import { parseArgs } from 'node:util';
import { fileExists, withOperatorErrors } from '../text-model-command.js';
import { UsageError } from '../command.js';
import { TextModelSession } from '../../shared/text/text-model-session.js';
import { readStrictJsonl } from '../../shared/text-training/dataset.js';
import { evaluate, formatReport } from '../../shared/text-training/evaluation.js';
import { KeywordBaseline } from '../../shared/text-training/keyword-baseline.js';
import { evaluateWithBaseline, scoreWithSession } from '../../shared/text-training/score-dataset.js';

const HELP = `usage: modpipe eval --model models/<name> --data <jsonl> [--train <jsonl>] [--calibration <jsonl>]

Scores --data with the model folder (through model.onnx, as serving does) and prints per-label
precision, recall, F1, PR-AUC, the takedown/review operating points and the confusion with benign,
next to a keyword baseline built from the training data (--train/--calibration, default: the files
recorded in the manifest). The last line is 'macro-F1 <value>'.`;


export function run(args: string[]): Promise<number> {
  return withOperatorErrors('eval', () => runCommand(args));
}

async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: 'string' },
      data: { type: 'string' },
      train: { type: 'string' },
      calibration: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (!values.model || !values.data) throw new UsageError(`--model and --data are required\n${HELP}`);
  const session = await TextModelSession.load(values.model);
  try {
    const m = session.folder.manifest;
    const records = await readStrictJsonl(values.data);
    const trainFile = values.train ?? m.training.trainData;
    const calFile = values.calibration ?? m.training.calibrationData;
    let text: string;
    if ((await fileExists(trainFile)) && (await fileExists(calFile))) {
      const baseline = KeywordBaseline.build(await readStrictJsonl(trainFile as string), await readStrictJsonl(calFile as string), m.labels);
      text = formatReport(await evaluateWithBaseline(session, records, m.thresholds, baseline));
    } else {
      process.stderr.write('keyword baseline skipped: training/calibration data not found (pass --train and --calibration)\n');
      text = formatReport(evaluate(records, m.labels, await scoreWithSession(session, records), m.thresholds));
    }
    process.stdout.write(`model ${m.name}@${m.version} on ${values.data}\n${text}\n`);
    return 0;
  } finally {
    await session.close();
  }
}
