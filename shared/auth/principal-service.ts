import { createHash, randomBytes, randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import type { Db } from '../store/db.js';
import type { Principal, Role, TokenScope } from './roles.js';

const TOKEN_PREFIX = 'mp_';

/** Tokens carry 192 random bits, so a fast hash is enough; passwords are argon2id. */
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface CreatedToken {
  id: string;
  token: string;
}

/** Principals (users and machines), their roles, passwords and API tokens. Bound to a db handle. */
export class PrincipalService {
  constructor(private readonly db: Db) {}

  async ensurePrincipal(id: string, kind: 'user' | 'machine', roles: Role[]): Promise<void> {
    await this.db.query(
      `INSERT INTO principals (id, kind, roles) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET roles = excluded.roles`,
      [id, kind, roles],
    );
  }

  async setPassword(id: string, password: string): Promise<void> {
    if (password.length < 10) throw new Error('passwords need at least 10 characters');
    const hash = await argon2.hash(password, { type: argon2.argon2id });
    await this.db.query('UPDATE principals SET password_hash = $2 WHERE id = $1', [id, hash]);
  }

  async verifyPassword(id: string, password: string): Promise<Principal | null> {
    const r = await this.db.query<{ id: string; kind: 'user'; roles: Role[]; password_hash: string | null; disabled: boolean }>(
      'SELECT id, kind, roles, password_hash, disabled FROM principals WHERE id = $1',
      [id],
    );
    const row = r.rows[0];
    if (!row || row.disabled || !row.password_hash) return null;
    return (await argon2.verify(row.password_hash, password)) ? { id: row.id, kind: 'user', roles: row.roles } : null;
  }

  /** The plaintext token is returned once and never stored. */
  async createToken(principalId: string, scopes: TokenScope[], rateLimitPerMin = 600): Promise<CreatedToken> {
    const id = randomUUID();
    const token = `${TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
    await this.db.query(
      'INSERT INTO api_tokens (id, principal_id, token_hash, scopes, rate_limit_per_min) VALUES ($1, $2, $3, $4, $5)',
      [id, principalId, tokenHash(token), scopes, rateLimitPerMin],
    );
    return { id, token };
  }

  async revokeToken(id: string): Promise<boolean> {
    const r = await this.db.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
    return r.affectedRows > 0;
  }

  async verifyToken(token: string): Promise<Principal | null> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    const r = await this.db.query<{ id: string; principal_id: string; kind: 'machine' | 'user'; roles: Role[]; scopes: TokenScope[]; rate_limit_per_min: number }>(
      `SELECT t.id, t.principal_id, p.kind, p.roles, t.scopes, t.rate_limit_per_min
       FROM api_tokens t JOIN principals p ON p.id = t.principal_id
       WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT p.disabled`,
      [tokenHash(token)],
    );
    const row = r.rows[0];
    if (!row) return null;
    return { id: row.principal_id, kind: 'machine', roles: row.roles, scopes: row.scopes, tokenId: row.id, rateLimitPerMin: row.rate_limit_per_min };
  }
}
