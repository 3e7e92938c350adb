import { createHash } from 'node:crypto';
import { z } from 'zod';
import { hash256FromHex, hash256ToHex, type Hash256 } from '../images/hash256.js';
import { DIHEDRAL_VARIANTS, type DihedralVariant } from '../images/pdq.js';
import { DEFAULT_MATCH_RADIUS, HashIndex, MAX_INDEX_RADIUS } from './hash-index.js';

/**
 * Hash banks in memory, the Hasher-Matcher-Actioner way (ThreatExchange HMA): named banks of PDQ
 * hashes, each carrying what to do on a match (policy label and action), switchable on and off.
 * An `allow` bank lists known-benign images (memes, logos, news photos that resemble bad ones);
 * an image matching any enabled allow bank has all its other bank matches suppressed.
 *
 * One index serves all banks: a query costs the same whatever the number of banks, and each
 * index id records its bank. Rows from a database load through `load()` (banks, then entries),
 * so persisting banks later needs no change here.
 */

export const bankNameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'bank names are 1-64 of a-z 0-9 . _ -, starting with a letter or digit');
export const hashHexSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'a PDQ hash is 64 hex digits')
  .transform((s) => s.toLowerCase());

export const bankRowSchema = z.object({
  bank: bankNameSchema,
  /** Policy label a match reports (csam, extremism, ...); informational for allow banks. */
  label: z.string().min(1).max(64),
  action: z.enum(['takedown', 'review']),
  enabled: z.boolean().default(true),
  kind: z.enum(['block', 'allow']).default('block'),
});
export type BankRow = z.input<typeof bankRowSchema>;
export type Bank = z.output<typeof bankRowSchema>;

export const bankEntryRowSchema = z.object({
  bank: bankNameSchema,
  hash: hashHexSchema,
  note: z.string().max(1000).optional(),
  source_id: z.string().max(256).optional(),
});
export type BankEntryRow = z.input<typeof bankEntryRowSchema>;

export interface BankEntry {
  bank: string;
  hash: string;
  note?: string;
  sourceId?: string;
}

export interface BankMatch {
  bank: string;
  kind: Bank['kind'];
  label: string;
  action: Bank['action'];
  entry: BankEntry;
  distance: number;
  /** Which dihedral variant of the query matched (`original` unless rotated/mirrored). */
  variant: DihedralVariant;
}

export interface MatchOutcome {
  /** Best match per enabled block bank, nearest first; empty when an allow bank matched. */
  matches: BankMatch[];
  /** Allow-bank matches; when present they are why `suppressed` is not in `matches`. */
  allowedBy: BankMatch[];
  suppressed: BankMatch[];
  /** True when the query's quality was under the minimum and nothing was looked up. */
  lowQuality: boolean;
}

export interface HashBankSetOptions {
  /** Largest Hamming distance that counts as a match. Meta's recommendation for PDQ is 31. */
  threshold?: number;
  /** Hashes of images below this PDQ quality are not matched (flat images collide). */
  minQuality?: number;
  /** Room to allocate up front (load() passes the row count): saves regrowing a large index. */
  expectedEntries?: number;
}

export class BankError extends Error {
  override readonly name = 'BankError';
}

interface StoredBank extends Bank {
  slot: number;
}

export class HashBankSet {
  readonly threshold: number;
  readonly minQuality: number;
  private readonly index: HashIndex;
  private readonly banksByName = new Map<string, StoredBank>();
  private readonly banksBySlot: (StoredBank | undefined)[] = [];
  /** Index id -> bank slot + 1 (0 = free id). Grows with the index. */
  private bankOfId: Uint16Array;
  /** Most entries carry no note or source id; only those that do cost an object. */
  private readonly extras = new Map<number, { note?: string; sourceId?: string }>();
  /** Order-independent fingerprint of the entries, kept up to date on add/remove. */
  private entrySum = 0;
  private entryXor = 0;
  private cachedRevision: string | undefined;

  constructor(options: HashBankSetOptions = {}) {
    this.threshold = options.threshold ?? DEFAULT_MATCH_RADIUS;
    this.minQuality = options.minQuality ?? 50;
    this.index = new HashIndex({ initialCapacity: options.expectedEntries ?? 1024 });
    this.bankOfId = new Uint16Array(Math.max(1024, options.expectedEntries ?? 0));
    if (!Number.isInteger(this.threshold) || this.threshold < 0 || this.threshold > MAX_INDEX_RADIUS) {
      throw new RangeError(`threshold must be an integer 0..${MAX_INDEX_RADIUS}, got ${this.threshold}`);
    }
    if (!Number.isInteger(this.minQuality) || this.minQuality < 0 || this.minQuality > 100) {
      throw new RangeError(`minQuality must be an integer 0..100, got ${this.minQuality}`);
    }
  }

  /** Build from stored rows: bank definitions first, then their entries. */
  static load(banks: readonly BankRow[], entries: readonly BankEntryRow[], options: HashBankSetOptions = {}): HashBankSet {
    const set = new HashBankSet({ expectedEntries: entries.length, ...options });
    for (const bank of banks) set.addBank(bank);
    for (const entry of entries) set.addEntry(entry);
    return set;
  }

  addBank(row: BankRow): Bank {
    const bank = bankRowSchema.parse(row);
    if (this.banksByName.has(bank.bank)) throw new BankError(`bank '${bank.bank}' already exists`);
    let slot = this.banksBySlot.indexOf(undefined);
    if (slot < 0) slot = this.banksBySlot.length;
    if (slot >= 0xffff) throw new BankError('too many banks');
    const stored = { ...bank, slot };
    this.banksBySlot[slot] = stored;
    this.banksByName.set(bank.bank, stored);
    this.touch();
    return bank;
  }

  /** Drop a bank and all its entries. */
  removeBank(name: string): boolean {
    const bank = this.banksByName.get(name);
    if (!bank) return false;
    for (const id of [...this.index.ids()]) if (this.bankOfId[id] === bank.slot + 1) this.removeId(id);
    this.banksByName.delete(name);
    this.banksBySlot[bank.slot] = undefined;
    this.touch();
    return true;
  }

  /** Change a bank's settings in place (its entries stay): what a stored bank edit becomes. */
  updateBank(row: BankRow): Bank {
    const bank = bankRowSchema.parse(row);
    const stored = this.requireBank(bank.bank);
    Object.assign(stored, bank);
    this.touch();
    return withoutSlot(stored);
  }

  /** Add the bank, or update it when it exists: applying a stored row twice is harmless. */
  upsertBank(row: BankRow): Bank {
    return this.banksByName.has(row.bank) ? this.updateBank(row) : this.addBank(row);
  }

  setEnabled(name: string, enabled: boolean): void {
    this.requireBank(name).enabled = enabled;
    this.touch();
  }

  getBank(name: string): Bank | undefined {
    const bank = this.banksByName.get(name);
    return bank ? withoutSlot(bank) : undefined;
  }

  listBanks(): (Bank & { entries: number })[] {
    const counts = new Map<number, number>();
    for (const id of this.index.ids()) {
      const slot = (this.bankOfId[id] ?? 0) - 1;
      counts.set(slot, (counts.get(slot) ?? 0) + 1);
    }
    return [...this.banksByName.values()].map((b) => ({ ...withoutSlot(b), entries: counts.get(b.slot) ?? 0 }));
  }

  /** Number of entries over all banks. */
  get size(): number {
    return this.index.size;
  }

  /** Add one entry; an identical hash already in the same bank is left as it is (returns false). */
  addEntry(row: BankEntryRow): boolean {
    const entry = bankEntryRowSchema.parse(row);
    const bank = this.requireBank(entry.bank);
    const hash = hash256FromHex(entry.hash);
    if (this.findId(bank, hash) !== undefined) return false;
    const id = this.index.add(hash);
    if (id >= this.bankOfId.length) {
      const grown = new Uint16Array(Math.max(this.bankOfId.length * 2, id + 1));
      grown.set(this.bankOfId);
      this.bankOfId = grown;
    }
    this.bankOfId[id] = bank.slot + 1;
    if (entry.note !== undefined || entry.source_id !== undefined) {
      this.extras.set(id, { ...(entry.note !== undefined && { note: entry.note }), ...(entry.source_id !== undefined && { sourceId: entry.source_id }) });
    }
    this.fingerprint(bank.slot, hash, 1);
    return true;
  }

  removeEntry(bankName: string, hashHex: string): boolean {
    const id = this.findId(this.requireBank(bankName), hash256FromHex(hashHexSchema.parse(hashHex)));
    if (id === undefined) return false;
    this.removeId(id);
    return true;
  }

  entriesOf(bankName: string): BankEntry[] {
    const bank = this.requireBank(bankName);
    const out: BankEntry[] = [];
    for (const id of this.index.ids()) if (this.bankOfId[id] === bank.slot + 1) out.push(this.entryOf(id, bank));
    return out;
  }

  /**
   * Match an image's hashes: its eight dihedral variants (or just the original) against every
   * enabled bank. Each bank reports its closest entry over all variants.
   */
  match(query: { hashes: Partial<Record<DihedralVariant, Hash256>> | readonly Hash256[]; quality: number }): MatchOutcome {
    if (query.quality < this.minQuality) return { matches: [], allowedBy: [], suppressed: [], lowQuality: true };
    const variants: [DihedralVariant, Hash256][] = Array.isArray(query.hashes)
      ? (query.hashes as readonly Hash256[]).map((h, i) => [DIHEDRAL_VARIANTS[i] ?? 'original', h])
      : DIHEDRAL_VARIANTS.flatMap((v) => {
          const h = (query.hashes as Partial<Record<DihedralVariant, Hash256>>)[v];
          return h ? [[v, h] as [DihedralVariant, Hash256]] : [];
        });
    const best = new Map<number, BankMatch>();
    for (const [variant, hash] of variants) {
      for (const { id, distance } of this.index.query(hash, this.threshold)) {
        const bank = this.banksBySlot[(this.bankOfId[id] ?? 0) - 1];
        if (!bank?.enabled) continue;
        const prior = best.get(bank.slot);
        if (prior && prior.distance <= distance) continue;
        best.set(bank.slot, { bank: bank.bank, kind: bank.kind, label: bank.label, action: bank.action, entry: this.entryOf(id, bank), distance, variant });
      }
    }
    const all = [...best.values()].sort((a, b) => a.distance - b.distance || a.bank.localeCompare(b.bank));
    const allowedBy = all.filter((m) => m.kind === 'allow');
    const blocks = all.filter((m) => m.kind === 'block');
    return allowedBy.length > 0 ? { matches: [], allowedBy, suppressed: blocks, lowQuality: false } : { matches: blocks, allowedBy: [], suppressed: [], lowQuality: false };
  }

  /**
   * Changes whenever anything that could change a match changes: thresholds, bank settings,
   * entries. Signals put it in their version so that sweeps re-check old images against new hashes.
   */
  get revision(): string {
    if (this.cachedRevision === undefined) {
      const banks = [...this.banksByName.values()].sort((a, b) => a.bank.localeCompare(b.bank));
      const digest = createHash('sha256')
        .update(JSON.stringify([this.threshold, this.minQuality, banks, this.index.size, this.entrySum, this.entryXor]))
        .digest('hex');
      this.cachedRevision = digest.slice(0, 16);
    }
    return this.cachedRevision;
  }

  private requireBank(name: string): StoredBank {
    const bank = this.banksByName.get(name);
    if (!bank) throw new BankError(`no bank named '${name}'`);
    return bank;
  }

  private findId(bank: StoredBank, hash: Hash256): number | undefined {
    return this.index.findExact(hash).find((id) => this.bankOfId[id] === bank.slot + 1);
  }

  private entryOf(id: number, bank: StoredBank): BankEntry {
    const hash = this.index.hashOf(id);
    return { bank: bank.bank, hash: hash ? hash256ToHex(hash) : '', ...this.extras.get(id) };
  }

  private removeId(id: number): void {
    const hash = this.index.hashOf(id);
    const slot = (this.bankOfId[id] ?? 0) - 1;
    if (hash) this.fingerprint(slot, hash, -1);
    this.index.remove(id);
    this.bankOfId[id] = 0;
    this.extras.delete(id);
  }

  /** Mix (bank, hash) into 32 bits, kept as a sum and a xor so removing an entry undoes adding it. */
  private fingerprint(slot: number, hash: Hash256, sign: 1 | -1): void {
    let h = Math.imul(slot + 1, 0x9e3779b1);
    for (const word of hash) h = Math.imul(h ^ word, 0x85ebca6b) ^ (h >>> 13);
    h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35) >>> 0;
    this.entrySum = (this.entrySum + sign * h) >>> 0;
    this.entryXor = (this.entryXor ^ h) >>> 0;
    this.touch();
  }

  private touch(): void {
    this.cachedRevision = undefined;
  }
}

function withoutSlot(bank: StoredBank): Bank {
  const { slot: _slot, ...rest } = bank;
  return rest;
}
