export const id = '20261123-0200-rescans';
// A rescan is a cursor over a scope plus counters; classified/taken-down counts come from events.
// At most one active rescan per scope: asking twice while it runs answers with the running one.
export const sql = `
CREATE TABLE rescans (
  id text PRIMARY KEY,
  scope jsonb NOT NULL,
  scope_key text NOT NULL,
  reason text NOT NULL,
  priority text NOT NULL,
  requested_by text NOT NULL,
  state text NOT NULL CHECK (state IN ('running', 'fanned_out', 'completed', 'cancelled')),
  cursor text,
  planned integer NOT NULL DEFAULT 0,
  queued integer NOT NULL DEFAULT 0,
  failed integer NOT NULL DEFAULT 0,
  pages integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE UNIQUE INDEX rescans_active_scope_idx ON rescans (scope_key) WHERE state IN ('running', 'fanned_out');
CREATE INDEX events_rescan_idx ON events ((payload->>'rescan_id')) WHERE type = 'classified' AND payload ? 'rescan_id';
CREATE INDEX items_channel_id_idx ON items (channel_id, id);
CREATE INDEX items_first_seen_id_idx ON items (first_seen, id);
`;
