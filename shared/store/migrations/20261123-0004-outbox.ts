export const id = '20261123-0004-outbox';
export const sql = `
CREATE TABLE outbox (
  id text PRIMARY KEY,
  subject_id text NOT NULL,
  action jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  enqueued_at timestamptz,
  done_at timestamptz,
  result text
);
CREATE INDEX outbox_pending_idx ON outbox (created_at) WHERE done_at IS NULL;
`;
