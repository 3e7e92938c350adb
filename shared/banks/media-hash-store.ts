import { HASH256_HEX_LENGTH, hash256FromHex, hash256ToHex, type Hash256 } from '../images/hash256.js';
import { DIHEDRAL_VARIANTS } from '../images/pdq.js';
import type { HashedImage } from '../signals/hash-bank-signal.js';
import type { Db } from '../store/db.js';

/**
 * The PDQ hashes of media we have seen (`media_hashes`), one row per (item, image index) with
 * the eight dihedral hashes packed as 256 bytes. Written by the hash-bank signal as it hashes;
 * read by the bank rescan poller, which matches newly banked hashes against them. Hex crosses
 * the driver boundary (`decode`/`encode` in SQL) so pg and PGlite see the same values.
 */

export interface StoredMediaHash {
  itemId: string;
  imageIndex: number;
  quality: number;
  /** DIHEDRAL_VARIANTS order. */
  variants: Hash256[];
}

const VARIANT_COUNT = DIHEDRAL_VARIANTS.length;

export class MediaHashStore {
  constructor(private readonly db: Db) {}

  /** Upsert: an item edited to carry another picture at the same index replaces the old hash. */
  async record(images: readonly HashedImage[]): Promise<void> {
    if (images.length === 0) return;
    const byKey = new Map(images.map((i) => [`${i.itemId}\u0000${i.imageIndex}`, i]));
    const rows = [...byKey.values()].map((i) => ({
      item_id: i.itemId,
      image_index: i.imageIndex,
      sha256: i.sha256,
      quality: i.quality,
      hashes: packVariants(i.variants),
    }));
    await this.db.query(
      `INSERT INTO media_hashes (item_id, image_index, sha256, quality, hashes)
       SELECT x.item_id, x.image_index, x.sha256, x.quality, decode(x.hashes, 'hex')
       FROM jsonb_to_recordset($1::jsonb) AS x(item_id text, image_index smallint, sha256 text, quality smallint, hashes text)
       ORDER BY 1, 2
       ON CONFLICT (item_id, image_index) DO UPDATE SET
         sha256 = excluded.sha256, quality = excluded.quality, hashes = excluded.hashes, hashed_at = now()
       WHERE media_hashes.sha256 IS DISTINCT FROM excluded.sha256`,
      [JSON.stringify(rows)],
    );
  }

  /** Every stored hash, a page at a time in key order (keyset pagination: no OFFSET rescans). */
  async *scan(pageSize = 2_000): AsyncGenerator<StoredMediaHash[]> {
    let after: [string, number] = ['', -1];
    for (;;) {
      const r = await this.db.query<{ item_id: string; image_index: number; quality: number; hashes: string }>(
        `SELECT item_id, image_index, quality, encode(hashes, 'hex') AS hashes FROM media_hashes
         WHERE (item_id, image_index) > ($1, $2) ORDER BY item_id, image_index LIMIT $3`,
        [after[0], after[1], pageSize],
      );
      if (r.rows.length === 0) return;
      yield r.rows.map((row) => ({ itemId: row.item_id, imageIndex: Number(row.image_index), quality: Number(row.quality), variants: unpackVariants(row.hashes) }));
      const last = r.rows[r.rows.length - 1] as { item_id: string; image_index: number };
      after = [last.item_id, Number(last.image_index)];
      if (r.rows.length < pageSize) return;
    }
  }
}

/** Eight hashes as one hex string (8 x 64 digits), each in the reference's hex order. */
export function packVariants(variants: readonly Hash256[]): string {
  if (variants.length !== VARIANT_COUNT) throw new RangeError(`expected ${VARIANT_COUNT} variant hashes, got ${variants.length}`);
  return variants.map(hash256ToHex).join('');
}

export function unpackVariants(hex: string): Hash256[] {
  if (hex.length !== VARIANT_COUNT * HASH256_HEX_LENGTH) throw new RangeError(`expected ${VARIANT_COUNT * HASH256_HEX_LENGTH} hex digits, got ${hex.length}`);
  return Array.from({ length: VARIANT_COUNT }, (_, v) => hash256FromHex(hex.slice(v * HASH256_HEX_LENGTH, (v + 1) * HASH256_HEX_LENGTH)));
}
