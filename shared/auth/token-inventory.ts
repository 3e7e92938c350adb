import type { Db } from '../store/db.js';
import type { Role, TokenScope } from './roles.js';

export interface TokenListing {
  id: string;
  principal_id: string;
  roles: Role[];
  scopes: TokenScope[];
  rate_limit_per_min: number;
  created_at: string;
  revoked_at: string | null;
}

const iso = (v: unknown): string | null => (v == null ? null : new Date(v as string).toISOString());

/** Tokens as operators see them: never a hash, never a token. */
export async function listTokens(db: Db, principalId?: string): Promise<TokenListing[]> {
  const r = await db.query<Record<string, unknown>>(
    `SELECT t.id, t.principal_id, p.roles, t.scopes, t.rate_limit_per_min, t.created_at, t.revoked_at
     FROM api_tokens t JOIN principals p ON p.id = t.principal_id
     WHERE ($1::text IS NULL OR t.principal_id = $1) ORDER BY t.created_at, t.id`,
    [principalId ?? null],
  );
  return r.rows.map((row) => ({
    id: String(row.id), principal_id: String(row.principal_id), roles: row.roles as Role[], scopes: row.scopes as TokenScope[],
    rate_limit_per_min: Number(row.rate_limit_per_min), created_at: iso(row.created_at)!, revoked_at: iso(row.revoked_at),
  }));
}
