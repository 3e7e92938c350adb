import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../shared/config.js';
import { reviewedLabels, type ExportStats } from '../../shared/review/label-export.js';
import { openDb } from '../../shared/store/db.js';
import { migrate } from '../../shared/store/migrate.js';
import { UsageError } from '../command.js';

const USAGE = `usage: modpipe export-labels [--out <file.jsonl>]

Writes every reviewed item with its final decision as JSONL in the trainer's input format:
{"text", "labels": [<decided category>] for a takedown, [] for a keep or a reversal, "lang"}.
Without --out the lines go to stdout; a summary goes to stderr.`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.out === '') throw new UsageError(USAGE);
  const config = loadConfig();
  const db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: path.join(config.DATA_DIR, 'pglite') });
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  const stats: ExportStats = { written: 0, skipped: {} };
  try {
    await migrate(db);
    for await (const record of reviewedLabels(db, stats)) {
      if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, 'drain');
    }
  } finally {
    if (values.out) await new Promise<void>((resolve, reject) => (out as ReturnType<typeof createWriteStream>).end((e?: Error | null) => (e ? reject(e) : resolve())));
    await db.close();
  }
  const skipped = Object.entries(stats.skipped).map(([why, n]) => `${n} (${why})`).join(', ');
  process.stderr.write(`exported ${stats.written} reviewed items${values.out ? ` to ${values.out}` : ''}${skipped ? `; skipped ${skipped}` : ''}\n`);
  return 0;
}
