import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../command.js';
import { BankError } from '../../shared/banks/hash-bank-set.js';
import { BankImportError } from '../../shared/banks/hash-bank-csv.js';
import { BankStore } from '../../shared/banks/bank-store.js';
import { LiveBankSet } from '../../shared/banks/live-bank-set.js';
import { loadConfig } from '../../shared/config.js';
import { ImageDecodeError } from '../../shared/images/decode-image.js';
import { hash256FromHex, isHash256Hex } from '../../shared/images/hash256.js';
import { pdqHashImageDihedral } from '../../shared/images/pdq-image.js';
import { ImageFetchError, safeFetchImage } from '../../shared/images/safe-fetch.js';
import { openDb } from '../../shared/store/db.js';
import { migrate } from '../../shared/store/migrate.js';
import { describeIssues } from '../../shared/validation/describe-issues.js';

const HELP = `usage: modpipe banks <command> [options]

  list                                       banks with their entry counts
  create <name> --label L --action takedown|review [--allow] [--disabled] [--description D]
  enable <name> | disable <name>
  add <bank> <hash>... [--note N] [--source-id S]
  remove <bank> <hash>...
  import <bank> <file.csv | ->               hash[,label,note,source_id] per line; all or nothing
  entries <bank> [--limit N]
  lookup <image-file | url | hash>           matches in the enabled banks, with distances

--json prints JSON. Works on the record named by DATABASE_URL, else the PGlite store in DATA_DIR
(which only one process can open: with \`modpipe up\` running, use the API, /v1/banks).
Changes reach running classifiers within seconds; items already seen whose pictures match new
hashes are re-classified.`;

const ACTOR = `admin:cli-${process.env.USER ?? 'unknown'}`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      label: { type: 'string' },
      action: { type: 'string' },
      allow: { type: 'boolean', default: false },
      disabled: { type: 'boolean', default: false },
      description: { type: 'string' },
      note: { type: 'string' },
      'source-id': { type: 'string' },
      limit: { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${HELP}\n`);
    return values.help ? 0 : 2;
  }
  const config = loadConfig();
  const db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: path.join(config.DATA_DIR, 'pglite') });
  const print = (value: unknown, text: () => string) => process.stdout.write(`${values.json ? JSON.stringify(value) : text()}\n`);
  try {
    await migrate(db);
    const store = new BankStore(db);
    switch (command) {
      case 'list': {
        const banks = await store.listBanks();
        print(banks, () => banks.map((b) => `${b.bank}\t${b.kind}\t${b.label}\t${b.action}\t${b.enabled ? 'enabled' : 'disabled'}\t${b.entries} entries`).join('\n') || '(no banks)');
        return 0;
      }
      case 'create': {
        const [name] = need(rest, 1, 'create <name> --label L --action takedown|review');
        const bank = await store.createBank(
          { name, label: values.label ?? '', action: values.action as 'takedown', kind: values.allow ? 'allow' : 'block', enabled: !values.disabled, ...(values.description !== undefined && { description: values.description }) },
          ACTOR,
        );
        print(bank, () => `created bank ${bank.bank} (${bank.kind}, ${bank.label}, ${bank.action})`);
        return 0;
      }
      case 'enable':
      case 'disable': {
        const [name] = need(rest, 1, `${command} <name>`);
        const bank = await store.updateBank(name, { enabled: command === 'enable' });
        print(bank, () => `${bank.bank} ${bank.enabled ? 'enabled' : 'disabled'}`);
        return 0;
      }
      case 'add': {
        const [bank, ...hashes] = need(rest, 2, 'add <bank> <hash>...');
        const r = await store.addEntries(bank, hashes.map((hash) => ({ hash, ...(values.note !== undefined && { note: values.note }), ...(values['source-id'] !== undefined && { source_id: values['source-id'] }) })), ACTOR);
        print(r, () => `${bank}: ${r.added} added, ${r.duplicates} already present`);
        return 0;
      }
      case 'remove': {
        const [bank, ...hashes] = need(rest, 2, 'remove <bank> <hash>...');
        const r = await store.removeEntries(bank, hashes, ACTOR);
        print(r, () => `${bank}: ${r.removed} removed`);
        return 0;
      }
      case 'import': {
        const [bank, file] = need(rest, 2, 'import <bank> <file.csv | ->');
        const text = file === '-' ? await readStdin() : await readFile(file ?? '', 'utf8');
        const r = await store.importCsv(bank, text, ACTOR);
        print(r, () => `${bank}: ${r.added} added, ${r.duplicates} already present`);
        return 0;
      }
      case 'entries': {
        const [bank] = need(rest, 1, 'entries <bank>');
        const entries = await store.listEntries(bank, { limit: values.limit ? Number(values.limit) : 1_000 });
        print(entries, () => entries.map((e) => [e.hash, e.note ?? '', e.source_id ?? ''].join(',')).join('\n'));
        return 0;
      }
      case 'lookup':
        return await lookup(store, need(rest, 1, 'lookup <image-file | url | hash>')[0], values.json);
      default:
        throw new UsageError(`unknown banks command '${command}'\n\n${HELP}`);
    }
  } catch (err) {
    if (err instanceof BankImportError) {
      process.stderr.write(`modpipe banks: ${err.message}\n`);
      return 1;
    }
    if (err instanceof BankError || err instanceof ImageDecodeError || err instanceof ImageFetchError || isZodError(err)) {
      process.stderr.write(`modpipe banks: ${describe(err)}\n`);
      return 1;
    }
    throw err;
  } finally {
    await db.close();
  }
}

async function lookup(store: BankStore, source: string, json: boolean): Promise<number> {
  const live = await LiveBankSet.open(store);
  let query;
  if (isHash256Hex(source)) {
    query = { hashes: [hash256FromHex(source)], quality: 100 };
  } else {
    const bytes = /^https?:\/\//i.test(source) ? (await safeFetchImage(source)).bytes : await readFile(source);
    const r = await pdqHashImageDihedral(bytes);
    query = { hashes: r.variants, quality: r.quality };
  }
  const outcome = live.set.match(query);
  await live.close();
  const rows = [...outcome.matches, ...outcome.allowedBy, ...outcome.suppressed];
  if (json) process.stdout.write(`${JSON.stringify({ ...outcome, quality: query.quality })}\n`);
  else if (outcome.lowQuality) process.stdout.write(`quality ${query.quality} is too low to match\n`);
  else if (rows.length === 0) process.stdout.write('no match\n');
  else {
    for (const m of outcome.matches) process.stdout.write(`match\t${m.bank}\t${m.label}\t${m.action}\tdistance ${m.distance}\t${m.variant}\t${m.entry.hash}\n`);
    for (const m of outcome.allowedBy) process.stdout.write(`allowed\t${m.bank}\tdistance ${m.distance}\t${m.entry.hash}\n`);
    for (const m of outcome.suppressed) process.stdout.write(`suppressed\t${m.bank}\tdistance ${m.distance}\t${m.entry.hash}\n`);
  }
  return 0;
}

function need(rest: string[], n: number, usage: string): [string, ...string[]] {
  if (rest.length < n) throw new UsageError(`usage: modpipe banks ${usage}`);
  return rest as [string, ...string[]];
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function isZodError(err: unknown): err is Error & { issues: { path: PropertyKey[]; message: string }[] } {
  return err instanceof Error && err.name === 'ZodError' && Array.isArray((err as { issues?: unknown }).issues);
}

function describe(err: Error): string {
  if (isZodError(err)) return describeIssues(err, { root: 'input' });
  return 'reason' in err ? `${err.message} [${String(err.reason)}]` : err.message;
}
