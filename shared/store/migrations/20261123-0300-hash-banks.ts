export const id = '20261123-0300-hash-banks';

/**
 * Hash banks (HMA-style) and the PDQ hashes of media we have seen.
 *
 * - `bank_revision` is one counter row. Every bank change increments it in its own transaction
 *   and stamps the rows it touches with the new value; that row lock also orders bank writers,
 *   so "revision > n" is a complete change feed. Classify processes poll it (one tiny read) and
 *   apply only the rows changed since the revision they hold.
 * - Entries are never deleted: removal sets `removed_at`/`removed_rev` (who removed what, when,
 *   stays answerable). One live row per (bank, hash); re-adding a removed hash adds a new row.
 * - `media_hashes` keeps the eight dihedral PDQ hashes of every hashed image (8 x 32 bytes), so a
 *   hash added to a bank later can be matched against media already seen and those items
 *   re-classified (`bank_rescan_cursor` remembers up to which revision that was done).
 */
export const sql = `
CREATE TABLE bank_revision (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  value bigint NOT NULL
);
INSERT INTO bank_revision (singleton, value) VALUES (true, 0);
CREATE TABLE hash_banks (
  name text PRIMARY KEY,
  label text NOT NULL,
  action text NOT NULL CHECK (action IN ('takedown', 'review')),
  kind text NOT NULL DEFAULT 'block' CHECK (kind IN ('block', 'allow')),
  enabled boolean NOT NULL DEFAULT true,
  description text,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_rev bigint NOT NULL
);
CREATE INDEX hash_banks_updated_rev_idx ON hash_banks (updated_rev);
CREATE TABLE hash_bank_entries (
  id bigserial PRIMARY KEY,
  bank text NOT NULL REFERENCES hash_banks (name),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  quality smallint CHECK (quality BETWEEN 0 AND 100),
  note text,
  source_id text,
  added_by text,
  added_at timestamptz NOT NULL DEFAULT now(),
  added_rev bigint NOT NULL,
  removed_by text,
  removed_at timestamptz,
  removed_rev bigint
);
CREATE UNIQUE INDEX hash_bank_entries_live_idx ON hash_bank_entries (bank, hash) WHERE removed_at IS NULL;
CREATE INDEX hash_bank_entries_added_rev_idx ON hash_bank_entries (added_rev);
CREATE INDEX hash_bank_entries_removed_rev_idx ON hash_bank_entries (removed_rev) WHERE removed_rev IS NOT NULL;
CREATE TABLE media_hashes (
  item_id text NOT NULL,
  image_index smallint NOT NULL,
  sha256 text NOT NULL,
  quality smallint NOT NULL,
  hashes bytea NOT NULL,
  hashed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (item_id, image_index)
);
CREATE TABLE bank_rescan_cursor (
  name text PRIMARY KEY,
  revision bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;
