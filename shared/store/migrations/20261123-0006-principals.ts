export const id = '20261123-0006-principals';
export const sql = `
CREATE TABLE principals (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('user', 'machine')),
  roles text[] NOT NULL,
  password_hash text,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE api_tokens (
  id text PRIMARY KEY,
  principal_id text NOT NULL REFERENCES principals (id),
  token_hash text NOT NULL UNIQUE,
  scopes text[] NOT NULL,
  rate_limit_per_min integer NOT NULL DEFAULT 600,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
`;
