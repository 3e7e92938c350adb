export const id = '20261123-0002-events';
// Append-only is enforced by the database, not by convention.
export const sql = `
CREATE TABLE events (
  id bigserial PRIMARY KEY,
  subject_id text NOT NULL,
  seq integer NOT NULL,
  type text NOT NULL,
  actor text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  UNIQUE (subject_id, seq)
);
CREATE INDEX events_type_idx ON events (type, id);
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only: % refused', TG_OP;
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
`;
