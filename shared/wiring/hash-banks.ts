import { BankStore } from '../banks/bank-store.js';
import { LiveBankSet } from '../banks/live-bank-set.js';
import { MediaHashStore } from '../banks/media-hash-store.js';
import type { PdqInput, PdqOutcome } from '../images/pdq-runner.js';
import type { Logger } from '../logger.js';
import { InferencePool } from '../onnx/inference-pool.js';
import type { ClassifyQueue } from '../queues/classify-queue.js';
import { HashBankSignal } from '../signals/hash-bank-signal.js';
import type { Db } from '../store/db.js';
import { BankRescanPoller } from '../../workers/classify/bank-rescan-poller.js';

const PDQ_RUNNER = new URL('../images/pdq-runner.ts', import.meta.url);

export interface HashBankWiringOptions {
  db: Db;
  logger: Logger;
  /** PDQ hashing threads (the pool hosting pdq-runner.ts). */
  threads: number;
  /** When given, new bank hashes are matched against stored media and matching items queued. */
  classifyQueue?: ClassifyQueue;
  /** Bank revision poll and rescan pass interval. */
  pollMs?: number;
}

export interface HashBankWiring {
  signal: HashBankSignal;
  live: LiveBankSet;
  poller: BankRescanPoller | null;
  close(): Promise<void>;
}

/**
 * The hash-bank signal and what keeps it honest, for one classify process:
 * - the banks from the store, followed by revision polling (live-bank-set.ts);
 * - PDQ hashing in worker threads (pdq-runner.ts in an InferencePool);
 * - every hashed image recorded in media_hashes;
 * - the rescan poller matching new bank hashes against those records.
 */
export async function startHashBanks(options: HashBankWiringOptions): Promise<HashBankWiring> {
  const pollMs = options.pollMs ?? 2_000;
  const live = (await LiveBankSet.open(new BankStore(options.db), { pollMs, logger: options.logger })).start();
  const pool = await InferencePool.start<PdqInput, PdqOutcome>({ runnerModule: PDQ_RUNNER, modelDir: '', threads: Math.max(1, options.threads) });
  const media = new MediaHashStore(options.db);
  const signal = new HashBankSignal({ banks: live.set, hashBatch: pool.runBatch, onHashed: (images) => media.record(images) });
  const controller = new AbortController();
  const poller = options.classifyQueue
    ? new BankRescanPoller({ db: options.db, classifyQueue: options.classifyQueue, logger: options.logger, intervalMs: pollMs, threshold: live.set.threshold, minQuality: live.set.minQuality })
    : null;
  const polling = poller?.run(controller.signal);
  options.logger.info({ banks: live.set.listBanks().length, entries: live.set.size, revision: live.revision }, 'hash banks loaded');
  return {
    signal,
    live,
    poller,
    async close() {
      controller.abort();
      await polling;
      await live.close();
      await pool.close();
    },
  };
}
