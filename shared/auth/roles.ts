import { z } from 'zod';

/** `senior` is a senior moderator: a moderator who also works the escalated queue (issue 4). */
export const roleSchema = z.enum(['admin', 'senior', 'moderator', 'triage', 'ops', 'platform']);
export type Role = z.infer<typeof roleSchema>;

/** What a machine token may do; a user session carries no scopes and is judged by role alone. */
export const tokenScopeSchema = z.enum(['items:write', 'reports:write', 'rescans:write', 'read', 'banks:write']);
export type TokenScope = z.infer<typeof tokenScopeSchema>;

export interface Principal {
  id: string;
  kind: 'user' | 'machine';
  roles: Role[];
  /** Present for tokens only. */
  scopes?: TokenScope[];
  tokenId?: string;
  rateLimitPerMin?: number;
}

/** Admin can do anything a role can; scopes bind machine tokens only. */
export function allows(p: Principal, need: { roles?: readonly Role[]; scopes?: readonly TokenScope[] }): boolean {
  const roleOk = !need.roles || need.roles.length === 0 || p.roles.includes('admin') || need.roles.some((r) => p.roles.includes(r));
  const scopeOk = p.kind !== 'machine' || !need.scopes || need.scopes.every((s) => p.scopes?.includes(s));
  return roleOk && scopeOk;
}
