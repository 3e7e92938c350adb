export const id = '20261123-0001-items';
export const sql = `
CREATE TABLE items (
  id text PRIMARY KEY,
  kind text NOT NULL,
  channel_id text NOT NULL,
  title text,
  text text NOT NULL DEFAULT '',
  url text,
  media jsonb NOT NULL DEFAULT '[]',
  language text,
  subscribers bigint,
  views bigint,
  jurisdictions text[] NOT NULL DEFAULT '{}',
  content_hash text NOT NULL,
  posted_at timestamptz,
  first_seen timestamptz NOT NULL DEFAULT now(),
  last_seen timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX items_channel_idx ON items (channel_id);
CREATE INDEX items_first_seen_idx ON items (first_seen);
`;
