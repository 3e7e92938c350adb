import { createHash } from 'node:crypto';
import type { Db } from '../store/db.js';
import type { Principal, Role } from './roles.js';

export const SESSION_COOKIE = 'modpipe_session';
export const SESSION_TTL_MS = 12 * 3_600_000;

/**
 * Console sessions: a signed cookie naming the user, an expiry and a fingerprint of the password
 * hash. Nothing is stored server-side; a changed password or a disabled user ends every session at
 * the next request, because each request re-reads the principal (and so its current roles).
 * The cookie's signature is @fastify/cookie's HMAC; this class only builds and checks the value.
 */
export class SessionService {
  constructor(
    private readonly db: Db,
    private readonly ttlMs = SESSION_TTL_MS,
  ) {}

  /** The cookie value (to be signed) for a user who just proved their password. */
  async issue(userId: string, now = Date.now()): Promise<{ value: string; maxAgeSec: number } | null> {
    const row = await this.user(userId);
    if (!row?.password_hash) return null;
    return { value: `${userId}|${now + this.ttlMs}|${fingerprint(row.password_hash)}`, maxAgeSec: Math.floor(this.ttlMs / 1000) };
  }

  /** The principal of an (already unsigned) cookie value, or null when expired or stale. */
  async resolve(value: string, now = Date.now()): Promise<Principal | null> {
    const [id, exp, fp] = value.split('|');
    if (!id || !exp || !fp || !(Number(exp) > now)) return null;
    const row = await this.user(id);
    if (!row || row.disabled || !row.password_hash || fingerprint(row.password_hash) !== fp) return null;
    return { id: row.id, kind: 'user', roles: row.roles };
  }

  private async user(id: string) {
    const r = await this.db.query<{ id: string; roles: Role[]; password_hash: string | null; disabled: boolean }>(
      `SELECT id, roles, password_hash, disabled FROM principals WHERE id = $1 AND kind = 'user'`,
      [id],
    );
    return r.rows[0];
  }
}

const fingerprint = (passwordHash: string) => createHash('sha256').update(passwordHash).digest('base64url').slice(0, 16);
