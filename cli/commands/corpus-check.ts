import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../command.js';
import { withOperatorErrors } from '../text-model-command.js';
import { formatBadLines, readJsonl, type TextRecord } from '../../shared/text-training/dataset.js';
import { checkCorpusLines, DEFAULT_CORPUS_CHECK } from '../../shared/text-training/corpus-check.js';

const HELP = `usage: modpipe corpus-check <new.jsonl> [--corpus models/data/corpus] [--lang xx] [--near-dup 0.5]

Vets lines meant for the text corpus before they are appended: each must be valid JSONL with known
labels (and --lang when given), and neither repeat a corpus line after normalisation nor be a
variant of one (character 5-gram Jaccard >= --near-dup within its language), nor of an earlier
line of the same file. Prints every rejected line with its number and the line it repeats, then
counts of what was accepted; exits 1 when any line is rejected.`;

export function run(args: string[]): Promise<number> {
  return withOperatorErrors('corpus-check', () => runCommand(args));
}

async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      corpus: { type: 'string', default: 'models/data/corpus' },
      lang: { type: 'string' },
      'near-dup': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError(`one file to check\n${HELP}`);
  const nearDuplicate = values['near-dup'] === undefined ? DEFAULT_CORPUS_CHECK.nearDuplicate : Number(values['near-dup']);
  if (!(nearDuplicate > 0 && nearDuplicate <= 1)) throw new UsageError(`--near-dup is a Jaccard similarity in (0, 1], got '${values['near-dup']}'`);

  const corpus: TextRecord[] = [];
  let files: string[];
  try {
    files = (await readdir(values.corpus)).filter((f) => f.endsWith('.jsonl')).sort();
  } catch {
    throw new UsageError(`cannot read corpus folder ${values.corpus}`);
  }
  const candidatePath = path.resolve(file);
  for (const f of files) {
    // A file being checked in place is not its own reference.
    if (path.resolve(values.corpus, f) === candidatePath) continue;
    corpus.push(...(await readJsonl(path.join(values.corpus, f))).records);
  }

  const parsed = await readJsonl(file);
  const candidates = parsed.records.map((record, i) => ({ record, line: parsed.lines[i] as number }));
  const { accepted, rejected } = checkCorpusLines(corpus, candidates, file, {
    nearDuplicate,
    ...(values.lang ? { lang: values.lang } : {}),
  });
  const problems = [...parsed.bad, ...rejected].sort((a, b) => a.line - b.line);
  if (problems.length) {
    process.stdout.write(`${problems.length} line(s) rejected\n${formatBadLines(problems, problems.length)}\n`);
    for (const r of rejected) if (r.similarTo !== undefined) process.stdout.write(`  line ${r.line} is like: ${r.similarTo.slice(0, 160)}\n`);
  }
  const counts = new Map<string, number>();
  for (const r of accepted) for (const l of r.labels.length ? r.labels : ['benign']) counts.set(l, (counts.get(l) ?? 0) + 1);
  const summary = [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v}`).join(', ');
  process.stdout.write(`accepted ${accepted.length} of ${parsed.records.length + parsed.bad.length} line(s)${summary ? `: ${summary}` : ''}\n`);
  return problems.length ? 1 : 0;
}
