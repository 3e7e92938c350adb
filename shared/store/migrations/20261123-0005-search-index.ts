export const id = '20261123-0005-search-index';
// The embedded default's demo search index: the table the platform's search would read.
export const sql = `
CREATE TABLE search_entries (
  id text PRIMARY KEY,
  kind text NOT NULL,
  channel_id text NOT NULL,
  title text,
  body text NOT NULL DEFAULT '',
  url text,
  language text,
  media jsonb NOT NULL DEFAULT '[]',
  subscribers bigint,
  views bigint,
  tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(title, '') || ' ' || body)) STORED,
  delisted_global boolean NOT NULL DEFAULT false,
  delisted_in text[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX search_entries_tsv_idx ON search_entries USING gin (tsv);
CREATE TABLE source_cursors (
  source text PRIMARY KEY,
  cursor text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;
