export const id = '20261123-0003-subject-status';
export const sql = `
CREATE TABLE subject_status (
  subject_id text PRIMARY KEY,
  channel_id text,
  head_seq integer NOT NULL DEFAULT 0,
  head_hash text NOT NULL DEFAULT '',
  review_state text NOT NULL DEFAULT 'none',
  review_category text,
  takedown_global boolean NOT NULL DEFAULT false,
  takedown_jurisdictions text[] NOT NULL DEFAULT '{}',
  last_verdict text,
  last_category text,
  last_scores jsonb,
  model_version text,
  classified_hash text,
  classified_at timestamptz,
  priority real NOT NULL DEFAULT 0,
  report_count integer NOT NULL DEFAULT 0,
  reporters text[] NOT NULL DEFAULT '{}',
  claimed_by text,
  claimed_until timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subject_status_review_idx ON subject_status (review_state, priority DESC) WHERE review_state IN ('open', 'escalated');
CREATE INDEX subject_status_model_idx ON subject_status (model_version);
CREATE INDEX subject_status_channel_idx ON subject_status (channel_id);
CREATE TABLE checkpoints (
  id bigserial PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  max_event_id bigint NOT NULL,
  subjects integer NOT NULL,
  root_hash text NOT NULL
);
`;
