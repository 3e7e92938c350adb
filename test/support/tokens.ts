import { PrincipalService } from '../../shared/auth/principal-service.js';
import type { Role, TokenScope } from '../../shared/auth/roles.js';
import type { Db } from '../../shared/store/db.js';

let n = 0;

/** A machine principal with these roles and one token; returns the plaintext token. */
export async function tokenFor(db: Db, roles: Role[], scopes: TokenScope[], rateLimitPerMin = 600): Promise<string> {
  const principals = new PrincipalService(db);
  const id = `t-${roles.join('-')}-${process.pid}-${++n}`;
  await principals.ensurePrincipal(id, 'machine', roles);
  return (await principals.createToken(id, scopes, rateLimitPerMin)).token;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
