import { z } from 'zod';
import type { Db, Queryable } from '../store/db.js';
import { validateHashCsv, type ImportSummary } from './hash-bank-csv.js';
import { BankError, bankNameSchema, bankRowSchema, hashHexSchema, HashBankSet, type Bank, type BankEntryRow, type BankRow, type HashBankSetOptions } from './hash-bank-set.js';

/**
 * Hash banks in the record (migration 20261123-0300): create and edit banks, add and remove
 * entries, import hash lists, and read the banks back as a HashBankSet, whole or as the changes
 * since a revision. Bound to a db handle; every change bumps `bank_revision` in its transaction
 * and stamps the rows it touches, which is what lets classify processes follow bank changes with
 * one cheap read (see live-bank-set.ts).
 *
 * Banks are disabled, never deleted; entries are removed softly (`removed_at`), so what was in a
 * bank when an item was taken down stays answerable.
 */

export const createBankSchema = z.object({
  name: bankNameSchema,
  label: bankRowSchema.shape.label,
  action: bankRowSchema.shape.action,
  kind: z.enum(['block', 'allow']).default('block'),
  enabled: z.boolean().default(true),
  description: z.string().max(1000).optional(),
});
export type CreateBankInput = z.input<typeof createBankSchema>;

export const updateBankSchema = z
  .object({
    label: bankRowSchema.shape.label.optional(),
    action: bankRowSchema.shape.action.optional(),
    enabled: z.boolean().optional(),
    description: z.string().max(1000).optional(),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), { message: 'nothing to change' });
export type UpdateBankInput = z.input<typeof updateBankSchema>;

export const entryInputSchema = z.object({
  hash: hashHexSchema,
  quality: z.number().int().min(0).max(100).optional(),
  note: z.string().max(1000).optional(),
  source_id: z.string().max(256).optional(),
});
export type EntryInput = z.input<typeof entryInputSchema>;

export class BankNotFoundError extends BankError {
  constructor(readonly bank: string) {
    super(`no bank named '${bank}'`);
  }
}

export class BankExistsError extends BankError {
  constructor(readonly bank: string) {
    super(`bank '${bank}' already exists`);
  }
}

export interface StoredBank extends Bank {
  description: string | null;
  created_by: string | null;
  created_at: string;
  /** Live entries. */
  entries: number;
}

export interface StoredEntry {
  id: number;
  bank: string;
  hash: string;
  quality: number | null;
  note: string | null;
  source_id: string | null;
  added_by: string | null;
  added_at: string;
}

export interface BankChanges {
  /** The revision these changes bring a reader up to (read before the rows, so nothing is missed). */
  revision: number;
  banks: BankRow[];
  added: BankEntryRow[];
  removed: { bank: string; hash: string }[];
}

/** Rows per INSERT: a million-line import goes in as a few hundred statements, in one transaction. */
const INSERT_CHUNK = 5_000;

export class BankStore {
  constructor(private readonly db: Db) {}

  async revision(q: Queryable = this.db): Promise<number> {
    const r = await q.query<{ value: number }>('SELECT value FROM bank_revision');
    return Number(r.rows[0]?.value ?? 0);
  }

  async createBank(input: CreateBankInput, actor: string): Promise<StoredBank> {
    const bank = createBankSchema.parse(input);
    await this.db.transaction(async (tx) => {
      const rev = await bump(tx);
      const r = await tx.query(
        `INSERT INTO hash_banks (name, label, action, kind, enabled, description, created_by, updated_rev)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (name) DO NOTHING`,
        [bank.name, bank.label, bank.action, bank.kind, bank.enabled, bank.description ?? null, actor, rev],
      );
      if (r.affectedRows === 0) throw new BankExistsError(bank.name);
    });
    return this.requireBank(bank.name);
  }

  async updateBank(name: string, patch: UpdateBankInput): Promise<StoredBank> {
    const p = updateBankSchema.parse(patch);
    await this.db.transaction(async (tx) => {
      const rev = await bump(tx);
      const r = await tx.query(
        `UPDATE hash_banks SET label = coalesce($2, label), action = coalesce($3, action), enabled = coalesce($4, enabled),
           description = coalesce($5, description), updated_rev = $6
         WHERE name = $1`,
        [name, p.label ?? null, p.action ?? null, p.enabled ?? null, p.description ?? null, rev],
      );
      if (r.affectedRows === 0) throw new BankNotFoundError(name);
    });
    return this.requireBank(name);
  }

  async listBanks(): Promise<StoredBank[]> {
    const r = await this.db.query<BankDbRow>(`${BANK_SELECT} GROUP BY b.name ORDER BY b.name`);
    return r.rows.map(toStoredBank);
  }

  async getBank(name: string): Promise<StoredBank | null> {
    const r = await this.db.query<BankDbRow>(`${BANK_SELECT} WHERE b.name = $1 GROUP BY b.name`, [name]);
    const row = r.rows[0];
    return row ? toStoredBank(row) : null;
  }

  async requireBank(name: string): Promise<StoredBank> {
    const bank = await this.getBank(name);
    if (!bank) throw new BankNotFoundError(name);
    return bank;
  }

  /** Add entries; a hash already live in the bank (or repeated in `entries`) counts as a duplicate. */
  async addEntries(bank: string, entries: readonly EntryInput[], actor: string): Promise<{ added: number; duplicates: number; revision: number }> {
    const parsed = entries.map((e) => entryInputSchema.parse(e));
    return this.db.transaction(async (tx) => {
      await lockBank(tx, bank);
      const rev = await bump(tx);
      let added = 0;
      for (let i = 0; i < parsed.length; i += INSERT_CHUNK) {
        const chunk = parsed.slice(i, i + INSERT_CHUNK).map((e) => ({ hash: e.hash, quality: e.quality ?? null, note: e.note ?? null, source_id: e.source_id ?? null }));
        const r = await tx.query(
          `INSERT INTO hash_bank_entries (bank, hash, quality, note, source_id, added_by, added_rev)
           SELECT $1, x.hash, x.quality, x.note, x.source_id, $2, $3
           FROM jsonb_to_recordset($4::jsonb) AS x(hash text, quality smallint, note text, source_id text)
           ON CONFLICT (bank, hash) WHERE removed_at IS NULL DO NOTHING`,
          [bank, actor, rev, JSON.stringify(chunk)],
        );
        added += r.affectedRows;
      }
      return { added, duplicates: parsed.length - added, revision: rev };
    });
  }

  /** Remove live entries by hash (softly: the rows stay, marked removed). Unknown hashes are ignored. */
  async removeEntries(bank: string, hashes: readonly string[], actor: string): Promise<{ removed: number; revision: number }> {
    const list = [...new Set(hashes.map((h) => hashHexSchema.parse(h)))];
    return this.db.transaction(async (tx) => {
      await lockBank(tx, bank);
      const rev = await bump(tx);
      const r = await tx.query(
        `UPDATE hash_bank_entries SET removed_at = now(), removed_rev = $3, removed_by = $4
         WHERE bank = $1 AND hash = ANY($2::text[]) AND removed_at IS NULL`,
        [bank, list, rev, actor],
      );
      return { removed: r.affectedRows, revision: rev };
    });
  }

  /**
   * Import a hash list (hash-bank-csv.ts format) into a bank: all or nothing. Throws
   * BankImportError listing every bad line, BankNotFoundError for an unknown bank.
   */
  async importCsv(bank: string, text: string, actor: string): Promise<ImportSummary & { revision: number }> {
    const stored = await this.requireBank(bank);
    const lines = validateHashCsv({ bank: stored.bank, label: stored.label }, text);
    const r = await this.addEntries(
      bank,
      lines.map((l) => ({ hash: l.hash, ...(l.note !== undefined && { note: l.note }), ...(l.sourceId !== undefined && { source_id: l.sourceId }) })),
      actor,
    );
    return { bank, added: r.added, duplicates: r.duplicates, revision: r.revision };
  }

  /** Live entries of a bank in insertion order, a page at a time (`after` is the last id seen). */
  async listEntries(bank: string, page: { after?: number; limit?: number } = {}): Promise<StoredEntry[]> {
    await this.requireBank(bank);
    const r = await this.db.query<StoredEntry>(
      `SELECT id, bank, hash, quality, note, source_id, added_by, added_at FROM hash_bank_entries
       WHERE bank = $1 AND removed_at IS NULL AND id > $2 ORDER BY id LIMIT $3`,
      [bank, page.after ?? 0, Math.min(10_000, page.limit ?? 1_000)],
    );
    return r.rows.map((e) => ({ ...e, id: Number(e.id), added_at: new Date(e.added_at).toISOString() }));
  }

  /** Every bank and live entry as a HashBankSet, with the revision it reflects. */
  async loadSet(options: HashBankSetOptions = {}): Promise<{ set: HashBankSet; revision: number }> {
    // Revision first: a change committed while we read has a higher revision, so the next
    // changesSince() re-applies it (applying a change twice is harmless), and nothing is missed.
    const revision = await this.revision();
    const banks = await this.db.query<BankDbRow>('SELECT name, label, action, kind, enabled FROM hash_banks ORDER BY name');
    const entries = await this.db.query<EntryDbRow>('SELECT bank, hash, note, source_id FROM hash_bank_entries WHERE removed_at IS NULL ORDER BY id');
    const set = HashBankSet.load(banks.rows.map(toBankRow), entries.rows.map(toEntryRow), options);
    return { set, revision };
  }

  /** What changed after `revision`: bank rows to upsert, entries to add and to remove. */
  async changesSince(revision: number): Promise<BankChanges> {
    const current = await this.revision();
    if (current <= revision) return { revision: current, banks: [], added: [], removed: [] };
    const banks = await this.db.query<BankDbRow>('SELECT name, label, action, kind, enabled FROM hash_banks WHERE updated_rev > $1', [revision]);
    const added = await this.db.query<EntryDbRow>(
      'SELECT bank, hash, note, source_id FROM hash_bank_entries WHERE added_rev > $1 AND removed_at IS NULL ORDER BY id',
      [revision],
    );
    const removed = await this.db.query<{ bank: string; hash: string }>(
      'SELECT bank, hash FROM hash_bank_entries WHERE removed_rev > $1 ORDER BY id',
      [revision],
    );
    return { revision: current, banks: banks.rows.map(toBankRow), added: added.rows.map(toEntryRow), removed: removed.rows };
  }
}

/**
 * Applies changes to a set in the one order that is right whatever happened in between:
 * banks first (entries need them), removals before additions (a hash removed and added again
 * ends up present).
 */
export function applyBankChanges(set: HashBankSet, changes: BankChanges): number {
  for (const b of changes.banks) set.upsertBank(b);
  let n = changes.banks.length;
  for (const r of changes.removed) if (set.getBank(r.bank) && set.removeEntry(r.bank, r.hash)) n++;
  for (const e of changes.added) if (set.addEntry(e)) n++;
  return n;
}

/** The next revision; the row lock it takes orders concurrent bank writers by commit. */
async function bump(tx: Queryable): Promise<number> {
  const r = await tx.query<{ value: number }>('UPDATE bank_revision SET value = value + 1 RETURNING value');
  return Number(r.rows[0]?.value);
}

async function lockBank(tx: Queryable, bank: string): Promise<void> {
  const r = await tx.query('SELECT 1 FROM hash_banks WHERE name = $1 FOR SHARE', [bank]);
  if (r.rows.length === 0) throw new BankNotFoundError(bank);
}

interface BankDbRow {
  name: string;
  label: string;
  action: 'takedown' | 'review';
  kind: 'block' | 'allow';
  enabled: boolean;
  description?: string | null;
  created_by?: string | null;
  created_at?: string | Date;
  entries?: number;
}

interface EntryDbRow {
  bank: string;
  hash: string;
  note: string | null;
  source_id: string | null;
}

const BANK_SELECT = `SELECT b.name, b.label, b.action, b.kind, b.enabled, b.description, b.created_by, b.created_at,
  count(e.id) FILTER (WHERE e.removed_at IS NULL) AS entries
  FROM hash_banks b LEFT JOIN hash_bank_entries e ON e.bank = b.name`;

function toBankRow(r: BankDbRow): BankRow {
  return { bank: r.name, label: r.label, action: r.action, kind: r.kind, enabled: r.enabled };
}

function toStoredBank(r: BankDbRow): StoredBank {
  return {
    bank: r.name, label: r.label, action: r.action, kind: r.kind, enabled: r.enabled,
    description: r.description ?? null, created_by: r.created_by ?? null,
    created_at: new Date(r.created_at ?? 0).toISOString(), entries: Number(r.entries ?? 0),
  };
}

function toEntryRow(r: EntryDbRow): BankEntryRow {
  return { bank: r.bank, hash: r.hash, ...(r.note !== null && { note: r.note }), ...(r.source_id !== null && { source_id: r.source_id }) };
}
