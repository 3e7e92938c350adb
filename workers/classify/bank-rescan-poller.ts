import { BankStore } from '../../shared/banks/bank-store.js';
import { DEFAULT_MATCH_RADIUS, HashIndex } from '../../shared/banks/hash-index.js';
import { MediaHashStore } from '../../shared/banks/media-hash-store.js';
import { hash256FromHex } from '../../shared/images/hash256.js';
import { itemFromRow } from '../../shared/items/item-from-row.js';
import { itemSchema, type Item } from '../../shared/items/item-schema.js';
import type { Logger } from '../../shared/logger.js';
import type { ClassifyJob, ClassifyQueue } from '../../shared/queues/classify-queue.js';
import type { Db } from '../../shared/store/db.js';
import { IntervalPoller } from '../interval-poller.js';

export interface BankRescanPollerOptions {
  db: Db;
  classifyQueue: ClassifyQueue;
  logger: Logger;
  intervalMs: number;
  /** The banks' match threshold (HashBankSet.threshold). */
  threshold?: number;
  /** The banks' minimum PDQ quality; lower-quality media are never matched, so never rescanned. */
  minQuality?: number;
}

export interface RescanPass {
  /** The bank revision handled up to. */
  revision: number;
  /** Hashes matched against stored media. */
  hashes: number;
  /** Items queued for re-classification. */
  items: number;
}

const CURSOR = 'media_hashes';
const ITEM_CHUNK = 500;

/**
 * New bank entries meet old media (the HMA way): when hashes are added to a block bank, or
 * removed from an allow bank, match them against every stored media hash (media_hashes) and
 * queue just the items that match for re-classification (`source: 'rescan'`, `force: true`); the
 * classifier then decides with the current banks, allow lists included. Everything else keeps
 * its verdict, so a bank change costs one pass over the stored hashes, not a re-classification
 * of the whole corpus.
 *
 * The pass reads the media table once per batch of bank changes, with the new hashes in a small
 * in-memory index: O(media) per pass whatever the number of new hashes. A cursor row
 * (`bank_rescan_cursor`) records the revision handled; it advances by compare-and-set after the
 * jobs are queued, so a crash re-runs the pass (re-queueing is harmless: classification is
 * idempotent), and two processes racing queue the same job ids.
 *
 * Not covered: re-enabling a disabled bank, or raising the threshold, does not rescan (request a
 * rescan through the rescan API for that).
 */
export class BankRescanPoller extends IntervalPoller {
  readonly name = 'bank-rescan-poller';
  private readonly banks: BankStore;
  private readonly media: MediaHashStore;

  constructor(private readonly options: BankRescanPollerOptions) {
    super(options.intervalMs, options.logger);
    this.banks = new BankStore(options.db);
    this.media = new MediaHashStore(options.db);
  }

  async runOnce(): Promise<RescanPass> {
    const { db } = this.options;
    await db.query('INSERT INTO bank_rescan_cursor (name, revision) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING', [CURSOR]);
    const from = Number((await db.query<{ revision: number }>('SELECT revision FROM bank_rescan_cursor WHERE name = $1', [CURSOR])).rows[0]?.revision ?? 0);
    const to = await this.banks.revision();
    if (to <= from) return { revision: from, hashes: 0, items: 0 };

    const hashes = await db.query<{ hash: string }>(
      `SELECT DISTINCT e.hash FROM hash_bank_entries e JOIN hash_banks b ON b.name = e.bank
       WHERE (b.kind = 'block' AND b.enabled AND e.added_rev > $1 AND e.added_rev <= $2 AND e.removed_at IS NULL)
          OR (b.kind = 'allow' AND e.removed_rev > $1 AND e.removed_rev <= $2)`,
      [from, to],
    );
    const itemIds = hashes.rows.length > 0 ? await this.matchStoredMedia(hashes.rows.map((r) => r.hash)) : [];
    if (itemIds.length > 0) await this.queue(itemIds, to);

    const advanced = await db.query('UPDATE bank_rescan_cursor SET revision = $3, updated_at = now() WHERE name = $1 AND revision = $2', [CURSOR, from, to]);
    if (advanced.affectedRows === 0) this.options.logger.debug({ from, to }, 'bank rescan: another process advanced the cursor first');
    if (itemIds.length > 0) this.options.logger.info({ from, to, hashes: hashes.rows.length, items: itemIds.length }, 'bank rescan: items matching new bank hashes queued');
    return { revision: to, hashes: hashes.rows.length, items: itemIds.length };
  }

  /** Ids of items with an image within the threshold of any of `hexes`, in any dihedral variant. */
  private async matchStoredMedia(hexes: readonly string[]): Promise<string[]> {
    const threshold = this.options.threshold ?? DEFAULT_MATCH_RADIUS;
    const minQuality = this.options.minQuality ?? 50;
    const index = new HashIndex({ initialCapacity: hexes.length });
    for (const hex of hexes) index.add(hash256FromHex(hex));
    const items = new Set<string>();
    for await (const page of this.media.scan()) {
      for (const m of page) {
        if (m.quality < minQuality || items.has(m.itemId)) continue;
        if (m.variants.some((v) => index.query(v, threshold).length > 0)) items.add(m.itemId);
      }
    }
    return [...items].sort();
  }

  private async queue(itemIds: readonly string[], revision: number): Promise<void> {
    const now = new Date().toISOString();
    for (let i = 0; i < itemIds.length; i += ITEM_CHUNK) {
      const rows = await this.options.db.query<Record<string, unknown>>('SELECT * FROM items WHERE id = ANY($1::text[])', [itemIds.slice(i, i + ITEM_CHUNK)]);
      const jobs: ClassifyJob[] = [];
      for (const row of rows.rows) {
        const item = storedItem(row);
        if (!item) {
          this.options.logger.warn({ item: row.id }, 'bank rescan: stored item no longer validates; skipped');
          continue;
        }
        // The same trace for the same revision: processes racing on one pass make identical job ids.
        jobs.push({ item, source: 'rescan', force: true, trace: `bank-rescan-r${revision}/${item.id}`, ingested_at: now, rescan_id: `bank-r${revision}` });
      }
      await this.options.classifyQueue.add(jobs);
    }
  }
}

/** An `items` row back into its item; a row that no longer validates is skipped, not fatal. */
function storedItem(row: Record<string, unknown>): Item | null {
  const parsed = itemSchema.safeParse(itemFromRow(row));
  return parsed.success ? parsed.data : null;
}
