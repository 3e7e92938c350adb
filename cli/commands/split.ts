import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../command.js';
import { formatBadLines, readJsonl, toJsonl, type TextRecord } from '../../shared/text-training/dataset.js';
import { DEFAULT_SPLIT, SPLITS, splitRecords } from '../../shared/text-training/corpus-split.js';
import { loadSpamAssassin, sampleSpamAssassin } from '../../shared/text-training/spam-assassin.js';

const HELP = `usage: modpipe split [--corpus models/data/corpus] [--out models/data] [--spam-assassin 300] [--near-dup 0.35]

Builds train.jsonl, calibration.jsonl and heldout.jsonl (60/15/25) from every <lang>.jsonl in the
corpus folder plus a sample of the SpamAssassin corpus (N spam, N ham), deterministically.
Bad corpus lines are reported with their line numbers and left out.`;

function positiveNumber(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a non-negative number, got '${value}'`);
  return n;
}

function table(records: readonly TextRecord[], key: (r: TextRecord) => string[]): string {
  const counts = new Map<string, number>();
  for (const r of records) for (const k of key(r)) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v}`).join(', ');
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      corpus: { type: 'string', default: 'models/data/corpus' },
      out: { type: 'string', default: 'models/data' },
      'spam-assassin': { type: 'string' },
      'near-dup': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const perClass = Math.floor(positiveNumber(values['spam-assassin'], 'spam-assassin', 300));
  const nearDup = positiveNumber(values['near-dup'], 'near-dup', DEFAULT_SPLIT.nearDuplicateThreshold);
  if (nearDup > 1) throw new UsageError('--near-dup is a Jaccard similarity in 0..1');

  let files: string[];
  try {
    files = (await readdir(values.corpus)).filter((f) => f.endsWith('.jsonl')).sort();
  } catch {
    throw new UsageError(`cannot read corpus folder ${values.corpus}`);
  }
  if (!files.length) throw new UsageError(`no .jsonl files in ${values.corpus}`);

  const records: TextRecord[] = [];
  let badCount = 0;
  for (const f of files) {
    const { records: good, bad } = await readJsonl(path.join(values.corpus, f));
    records.push(...good);
    if (bad.length) {
      badCount += bad.length;
      process.stderr.write(`${f}: ${bad.length} bad line(s) left out\n${formatBadLines(bad)}\n`);
    }
  }
  process.stdout.write(`corpus: ${records.length} texts from ${files.length} files${badCount ? `, ${badCount} bad lines left out` : ''}\n`);
  if (perClass > 0) {
    const sa = sampleSpamAssassin(loadSpamAssassin(), { perClass });
    records.push(...sa);
    process.stdout.write(`spamassassin: ${sa.length} e-mails (${sa.filter((r) => r.labels.length).length} spam)\n`);
  }

  const { splits, stats } = splitRecords(records, { ...DEFAULT_SPLIT, nearDuplicateThreshold: nearDup });
  process.stdout.write(
    `dedupe: ${stats.exactDuplicates} exact duplicates dropped (${stats.conflictingDuplicates} with other labels or language), ` +
      `${stats.clusters} near-duplicate clusters holding ${stats.clusteredTexts} texts kept on one side\n`,
  );
  await mkdir(values.out, { recursive: true });
  for (const s of SPLITS) {
    const file = path.join(values.out, `${s}.jsonl`);
    await writeFile(file, toJsonl(splits[s]));
    process.stdout.write(`${file}: ${splits[s].length} texts\n  labels: ${table(splits[s], (r) => (r.labels.length ? r.labels : ['benign']))}\n  langs: ${table(splits[s], (r) => [r.lang])}\n`);
  }
  return 0;
}
