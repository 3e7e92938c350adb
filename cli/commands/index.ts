import type { CommandModule } from '../command.js';

interface CommandEntry {
  summary: string;
  load: () => Promise<CommandModule>;
}

/** The one list of subcommands; modules load lazily so `modpipe hash` does not start ONNX. */
export const commands: Record<string, CommandEntry> = {
  up: { summary: 'run everything in one process (embedded defaults); --demo loads the demo corpus', load: () => import('./up.js') },
  worker: { summary: 'run one worker kind: ingest | classify | takedown', load: () => import('./worker.js') },
  api: { summary: 'run the HTTP API', load: () => import('./api.js') },
  queues: { summary: 'inspect queues: list | failed <queue> | retry <queue> | pause | resume | clean', load: () => import('./queues.js') },
  tokens: { summary: 'API tokens: create --principal <id> --role <role> --scopes <a,b> | list | revoke <id>', load: () => import('./tokens.js') },
  record: { summary: 'verify the event log\'s hash chains and checkpoints, or write a checkpoint', load: () => import('./record.js') },
  bench: { summary: 'run a benchmark: pipeline | classify | images | api', load: () => import('./bench.js') },
  hash: { summary: 'print the PDQ hash and quality of image files or URLs', load: () => import('./hash.js') },
  banks: { summary: 'hash banks: list | create | enable | disable | add | remove | import | entries | lookup', load: () => import('./banks.js') },
  train: { summary: 'train the text classifier: --data <train.jsonl> --out models/<name>', load: () => import('./train.js') },
  eval: { summary: 'evaluate a text model against a keyword baseline: --model models/<name> --data <jsonl>', load: () => import('./eval.js') },
  users: { summary: 'console users: create <id> --role <role> [--password-stdin] | password | list | disable | enable', load: () => import('./users.js') },
  'export-labels': { summary: 'write reviewed items with their final decisions as trainer JSONL: [--out file]', load: () => import('./export-labels.js') },
  'corpus-check': { summary: 'vet new text-corpus lines: valid, known labels, no repeats or variants of corpus lines', load: () => import('./corpus-check.js') },
  split: { summary: 'build the text train/calibration/held-out splits from models/data/corpus', load: () => import('./split.js') },
};
