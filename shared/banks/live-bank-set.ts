import type { Logger } from '../logger.js';
import { applyBankChanges, type BankStore } from './bank-store.js';
import type { HashBankSet, HashBankSetOptions } from './hash-bank-set.js';

export interface LiveBankSetOptions extends HashBankSetOptions {
  /** How often `start()` checks the revision; one single-row read each time. */
  pollMs?: number;
  logger?: Logger;
}

/**
 * A HashBankSet that follows the store: loaded whole once, then kept current by polling the
 * bank revision and applying only the rows changed since (bank-store.ts `changesSince`). A bank
 * edit in the API or CLI reaches every classify process within `pollMs`, without a restart and
 * without rebuilding a million-entry index for one added hash.
 *
 * The set is mutated in place, so whoever holds `set` (the HashBankSignal) sees changes at once.
 * JavaScript runs one thing at a time, so a match never sees half an update: each refresh is
 * applied synchronously after its reads.
 */
export class LiveBankSet {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<number> | null = null;
  private closed = false;

  private constructor(
    private readonly store: BankStore,
    readonly set: HashBankSet,
    private current: number,
    private readonly options: LiveBankSetOptions,
  ) {}

  static async open(store: BankStore, options: LiveBankSetOptions = {}): Promise<LiveBankSet> {
    const { set, revision } = await store.loadSet(options);
    return new LiveBankSet(store, set, revision, options);
  }

  /** The store revision the set reflects. */
  get revision(): number {
    return this.current;
  }

  /** Check the revision and apply what changed; returns the number of changes applied. */
  refresh(): Promise<number> {
    // Concurrent callers share one refresh: two overlapping ones would apply the same rows twice.
    this.inFlight ??= this.refreshOnce().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async refreshOnce(): Promise<number> {
    const changes = await this.store.changesSince(this.current);
    if (changes.revision <= this.current) return 0;
    const applied = applyBankChanges(this.set, changes);
    this.options.logger?.info({ from: this.current, to: changes.revision, applied, entries: this.set.size }, 'hash banks updated');
    this.current = changes.revision;
    return applied;
  }

  /** Poll in the background until close(). A failed poll is logged and retried at the next tick. */
  start(): this {
    const pollMs = this.options.pollMs ?? 2_000;
    const tick = () => {
      if (this.closed) return;
      this.refresh()
        .catch((e: unknown) => this.options.logger?.warn({ err: (e as Error).message }, 'hash bank refresh failed'))
        .finally(() => {
          if (!this.closed) this.schedule(tick, pollMs);
        });
    };
    this.schedule(tick, pollMs);
    return this;
  }

  /** Polling alone never keeps a process alive. */
  private schedule(tick: () => void, ms: number): void {
    this.timer = setTimeout(tick, ms);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight?.catch(() => undefined);
  }
}
